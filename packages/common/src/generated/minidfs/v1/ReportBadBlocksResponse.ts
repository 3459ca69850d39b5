// Original file: proto/minidfs/v1/datanode_protocol.proto


export interface ReportBadBlocksResponse {
}

export interface ReportBadBlocksResponse__Output {
}
