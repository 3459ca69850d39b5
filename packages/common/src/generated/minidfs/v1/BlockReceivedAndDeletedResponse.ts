// Original file: proto/minidfs/v1/datanode_protocol.proto


export interface BlockReceivedAndDeletedResponse {
}

export interface BlockReceivedAndDeletedResponse__Output {
}
