// Original file: proto/minidfs/v1/client_protocol.proto


export interface AddBlockRequest {
  'path'?: (string);
  'clientName'?: (string);
  'excludeNodeIds'?: (string)[];
}

export interface AddBlockRequest__Output {
  'path': (string);
  'clientName': (string);
  'excludeNodeIds': (string)[];
}
