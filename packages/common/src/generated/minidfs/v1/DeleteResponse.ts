// Original file: proto/minidfs/v1/client_protocol.proto


export interface DeleteResponse {
  'deleted'?: (boolean);
}

export interface DeleteResponse__Output {
  'deleted': (boolean);
}
