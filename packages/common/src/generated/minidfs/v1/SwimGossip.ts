// Original file: proto/minidfs/v1/membership.proto


export interface SwimGossip {
}

export interface SwimGossip__Output {
}
