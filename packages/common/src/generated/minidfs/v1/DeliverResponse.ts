// Original file: proto/minidfs/v1/membership.proto


export interface DeliverResponse {
}

export interface DeliverResponse__Output {
}
