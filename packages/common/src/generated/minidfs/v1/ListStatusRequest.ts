// Original file: proto/minidfs/v1/client_protocol.proto


export interface ListStatusRequest {
  'path'?: (string);
  'startAfter'?: (string);
}

export interface ListStatusRequest__Output {
  'path': (string);
  'startAfter': (string);
}
