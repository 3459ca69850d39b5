// Original file: proto/minidfs/v1/client_protocol.proto


export interface DeleteRequest {
  'path'?: (string);
  'recursive'?: (boolean);
}

export interface DeleteRequest__Output {
  'path': (string);
  'recursive': (boolean);
}
