import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { DeliverResponse as _minidfs_v1_DeliverResponse, DeliverResponse__Output as _minidfs_v1_DeliverResponse__Output } from './minidfs/v1/DeliverResponse';
import type { GetMembershipRequest as _minidfs_v1_GetMembershipRequest, GetMembershipRequest__Output as _minidfs_v1_GetMembershipRequest__Output } from './minidfs/v1/GetMembershipRequest';
import type { GetMembershipResponse as _minidfs_v1_GetMembershipResponse, GetMembershipResponse__Output as _minidfs_v1_GetMembershipResponse__Output } from './minidfs/v1/GetMembershipResponse';
import type { MemberStatus as _minidfs_v1_MemberStatus, MemberStatus__Output as _minidfs_v1_MemberStatus__Output } from './minidfs/v1/MemberStatus';
import type { MemberUpdate as _minidfs_v1_MemberUpdate, MemberUpdate__Output as _minidfs_v1_MemberUpdate__Output } from './minidfs/v1/MemberUpdate';
import type { MembershipClient as _minidfs_v1_MembershipClient, MembershipDefinition as _minidfs_v1_MembershipDefinition } from './minidfs/v1/Membership';
import type { SwimAck as _minidfs_v1_SwimAck, SwimAck__Output as _minidfs_v1_SwimAck__Output } from './minidfs/v1/SwimAck';
import type { SwimEnvelope as _minidfs_v1_SwimEnvelope, SwimEnvelope__Output as _minidfs_v1_SwimEnvelope__Output } from './minidfs/v1/SwimEnvelope';
import type { SwimGossip as _minidfs_v1_SwimGossip, SwimGossip__Output as _minidfs_v1_SwimGossip__Output } from './minidfs/v1/SwimGossip';
import type { SwimMessage as _minidfs_v1_SwimMessage, SwimMessage__Output as _minidfs_v1_SwimMessage__Output } from './minidfs/v1/SwimMessage';
import type { SwimPing as _minidfs_v1_SwimPing, SwimPing__Output as _minidfs_v1_SwimPing__Output } from './minidfs/v1/SwimPing';
import type { SwimPingReq as _minidfs_v1_SwimPingReq, SwimPingReq__Output as _minidfs_v1_SwimPingReq__Output } from './minidfs/v1/SwimPingReq';
import type { SwimSync as _minidfs_v1_SwimSync, SwimSync__Output as _minidfs_v1_SwimSync__Output } from './minidfs/v1/SwimSync';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  minidfs: {
    v1: {
      DeliverResponse: MessageTypeDefinition<_minidfs_v1_DeliverResponse, _minidfs_v1_DeliverResponse__Output>
      GetMembershipRequest: MessageTypeDefinition<_minidfs_v1_GetMembershipRequest, _minidfs_v1_GetMembershipRequest__Output>
      GetMembershipResponse: MessageTypeDefinition<_minidfs_v1_GetMembershipResponse, _minidfs_v1_GetMembershipResponse__Output>
      MemberState: EnumTypeDefinition
      MemberStatus: MessageTypeDefinition<_minidfs_v1_MemberStatus, _minidfs_v1_MemberStatus__Output>
      MemberUpdate: MessageTypeDefinition<_minidfs_v1_MemberUpdate, _minidfs_v1_MemberUpdate__Output>
      Membership: SubtypeConstructor<typeof grpc.Client, _minidfs_v1_MembershipClient> & { service: _minidfs_v1_MembershipDefinition }
      SwimAck: MessageTypeDefinition<_minidfs_v1_SwimAck, _minidfs_v1_SwimAck__Output>
      SwimEnvelope: MessageTypeDefinition<_minidfs_v1_SwimEnvelope, _minidfs_v1_SwimEnvelope__Output>
      SwimGossip: MessageTypeDefinition<_minidfs_v1_SwimGossip, _minidfs_v1_SwimGossip__Output>
      SwimMessage: MessageTypeDefinition<_minidfs_v1_SwimMessage, _minidfs_v1_SwimMessage__Output>
      SwimPing: MessageTypeDefinition<_minidfs_v1_SwimPing, _minidfs_v1_SwimPing__Output>
      SwimPingReq: MessageTypeDefinition<_minidfs_v1_SwimPingReq, _minidfs_v1_SwimPingReq__Output>
      SwimSync: MessageTypeDefinition<_minidfs_v1_SwimSync, _minidfs_v1_SwimSync__Output>
    }
  }
}

