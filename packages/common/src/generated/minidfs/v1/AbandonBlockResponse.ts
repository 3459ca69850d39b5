// Original file: proto/minidfs/v1/client_protocol.proto


export interface AbandonBlockResponse {
}

export interface AbandonBlockResponse__Output {
}
