// Original file: proto/minidfs/v1/datanode_protocol.proto


export interface ReregisterCommand {
  'reason'?: (string);
}

export interface ReregisterCommand__Output {
  'reason': (string);
}
