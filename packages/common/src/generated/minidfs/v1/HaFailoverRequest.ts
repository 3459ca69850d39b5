// Original file: proto/minidfs/v1/client_protocol.proto


export interface HaFailoverRequest {
}

export interface HaFailoverRequest__Output {
}
