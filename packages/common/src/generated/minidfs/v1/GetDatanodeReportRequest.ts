// Original file: proto/minidfs/v1/client_protocol.proto


export interface GetDatanodeReportRequest {
}

export interface GetDatanodeReportRequest__Output {
}
