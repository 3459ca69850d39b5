// Original file: proto/minidfs/v1/client_protocol.proto


export interface FsckRequest {
  'path'?: (string);
}

export interface FsckRequest__Output {
  'path': (string);
}
