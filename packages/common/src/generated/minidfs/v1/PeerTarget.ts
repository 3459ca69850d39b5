// Original file: proto/minidfs/v1/datanode_protocol.proto


export interface PeerTarget {
  'nodeId'?: (string);
  'membershipAddress'?: (string);
}

export interface PeerTarget__Output {
  'nodeId': (string);
  'membershipAddress': (string);
}
