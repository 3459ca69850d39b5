// Original file: proto/minidfs/v1/datanode_protocol.proto


export interface DatanodeLocation {
  'nodeId'?: (string);
  'host'?: (string);
  'dataPort'?: (number);
  'rack'?: (string);
  'transferPort'?: (number);
}

export interface DatanodeLocation__Output {
  'nodeId': (string);
  'host': (string);
  'dataPort': (number);
  'rack': (string);
  'transferPort': (number);
}
