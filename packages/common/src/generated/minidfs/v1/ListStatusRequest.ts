// Original file: proto/minidfs/v1/client_protocol.proto


export interface ListStatusRequest {
  'path'?: (string);
}

export interface ListStatusRequest__Output {
  'path': (string);
}
