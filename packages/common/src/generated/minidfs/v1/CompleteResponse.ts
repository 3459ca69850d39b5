// Original file: proto/minidfs/v1/client_protocol.proto


export interface CompleteResponse {
  'complete'?: (boolean);
}

export interface CompleteResponse__Output {
  'complete': (boolean);
}
