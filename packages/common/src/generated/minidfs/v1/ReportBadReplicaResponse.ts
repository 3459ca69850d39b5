// Original file: proto/minidfs/v1/client_protocol.proto


export interface ReportBadReplicaResponse {
}

export interface ReportBadReplicaResponse__Output {
}
