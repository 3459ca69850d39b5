// Original file: proto/minidfs/v1/client_protocol.proto


export interface SetReplicationRequest {
  'path'?: (string);
  'replication'?: (number);
}

export interface SetReplicationRequest__Output {
  'path': (string);
  'replication': (number);
}
