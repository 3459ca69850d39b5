// Original file: proto/minidfs/v1/client_protocol.proto


export interface RecoverLeaseRequest {
  'path'?: (string);
  'clientName'?: (string);
}

export interface RecoverLeaseRequest__Output {
  'path': (string);
  'clientName': (string);
}
