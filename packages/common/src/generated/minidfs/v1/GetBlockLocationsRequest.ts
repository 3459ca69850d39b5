// Original file: proto/minidfs/v1/client_protocol.proto


export interface GetBlockLocationsRequest {
  'path'?: (string);
}

export interface GetBlockLocationsRequest__Output {
  'path': (string);
}
