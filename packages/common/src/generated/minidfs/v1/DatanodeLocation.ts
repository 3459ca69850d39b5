// Original file: proto/minidfs/v1/datanode_protocol.proto


export interface DatanodeLocation {
  'nodeId'?: (string);
  'host'?: (string);
  'dataPort'?: (number);
  'rack'?: (string);
}

export interface DatanodeLocation__Output {
  'nodeId': (string);
  'host': (string);
  'dataPort': (number);
  'rack': (string);
}
