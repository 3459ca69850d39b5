// Original file: proto/minidfs/v1/membership.proto


export interface GetMembershipRequest {
}

export interface GetMembershipRequest__Output {
}
