// Original file: proto/minidfs/v1/client_protocol.proto


export interface GetFileInfoRequest {
  'path'?: (string);
}

export interface GetFileInfoRequest__Output {
  'path': (string);
}
