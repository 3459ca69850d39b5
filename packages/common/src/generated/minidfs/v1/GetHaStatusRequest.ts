// Original file: proto/minidfs/v1/client_protocol.proto


export interface GetHaStatusRequest {
}

export interface GetHaStatusRequest__Output {
}
