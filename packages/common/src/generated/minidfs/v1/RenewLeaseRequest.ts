// Original file: proto/minidfs/v1/client_protocol.proto


export interface RenewLeaseRequest {
  'clientName'?: (string);
}

export interface RenewLeaseRequest__Output {
  'clientName': (string);
}
