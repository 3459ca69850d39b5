// Original file: proto/minidfs/v1/client_protocol.proto


export interface MkdirsRequest {
  'path'?: (string);
}

export interface MkdirsRequest__Output {
  'path': (string);
}
