// Original file: proto/minidfs/v1/client_protocol.proto


export interface RenewLeaseResponse {
  'openFiles'?: (number);
}

export interface RenewLeaseResponse__Output {
  'openFiles': (number);
}
