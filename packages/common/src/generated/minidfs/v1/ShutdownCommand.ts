// Original file: proto/minidfs/v1/datanode_protocol.proto


export interface ShutdownCommand {
  'reason'?: (string);
}

export interface ShutdownCommand__Output {
  'reason': (string);
}
