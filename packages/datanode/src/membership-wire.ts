/**
 * Membership wire ↔ domain, in one place (the core's SwimMessage / MemberView are plain objects;
 * proto/minidfs/v1/membership.proto is the wire). A SwimMessage travels as its protobuf encoding
 * inside a SwimEnvelope, with an HMAC-SHA256 of exactly those bytes under the cluster's membership
 * key (so no canonical re-encoding is needed to check it). protobufjs encodes and decodes the
 * SwimMessage with the same proto file and the same conversion options as @grpc/proto-loader.
 * Nothing here does I/O apart from loading the proto file once.
 */
import type * as grpc from '@grpc/grpc-js';
import { createHmac, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import * as protobuf from 'protobufjs';
import {
  InvalidArgumentError, PROTO_ROOT, UnauthenticatedError, type DatanodeCommand__Output, type HeartbeatRequest, type loadProtos,
} from '@minidfs/common';
import type { MemberState, MemberUpdate, MemberView, SwimMessage } from '@minidfs/membership';

type Protos = ReturnType<typeof loadProtos>;
type MembershipDefinition = Protos['Membership']['service'];
/** grpc-js unary handler of one method of a proto-loader service definition. */
type UnaryHandler<M> = M extends { requestDeserialize: (bytes: Buffer) => infer Req; responseSerialize: (value: infer Res) => Buffer }
  ? grpc.handleUnaryCall<Req, Res> : never;

/** Client of a peer's Membership service. */
export type MembershipClient = InstanceType<Protos['Membership']>;
/** Response type of a unary client method (its last overload is `(argument, callback)`). */
type UnaryResponse<F> = F extends (argument: never, callback: grpc.requestCallback<infer Res>) => grpc.ClientUnaryCall ? Res : never;
/** A GetMembership answer as a client receives it (`minidfs report --peer`, tests). */
export type GetMembershipResponseIn = UnaryResponse<MembershipClient['GetMembership']>;
/** Our Membership service's handlers. */
export interface MembershipHandlers extends grpc.UntypedServiceImplementation {
  Deliver: UnaryHandler<MembershipDefinition['Deliver']>;
  GetMembership: UnaryHandler<MembershipDefinition['GetMembership']>;
}
/** GetMembership answer, as our handler returns it. */
export interface MembershipViewOut {
  selfId: string;
  selfAddress: string;
  selfIncarnation: number;
  members: MemberStatusOut[];
  protocolPeriodMs: number;
  suspicionTimeoutMinMs: number;
  suspicionTimeoutMaxMs: number;
}
export interface MemberStatusOut {
  id: string;
  address: string;
  state: MemberState;
  incarnation: number;
  msInState: number;
  msSinceHeard: number;
  neverHeard: boolean;
}
export type PeerProbeResultOut = NonNullable<HeartbeatRequest['peerProbes']>[number];
export type ProbePeersCommandIn = NonNullable<DatanodeCommand__Output['probePeers']>;

/** Bytes of the MAC (HMAC-SHA256). */
export const MEMBERSHIP_MAC_BYTES = 32;

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };

let swimMessageType: protobuf.Type | undefined;

function messageType(): protobuf.Type {
  if (swimMessageType) return swimMessageType;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT, target));
  root.loadSync('minidfs/v1/membership.proto');
  swimMessageType = root.lookupType('minidfs.v1.SwimMessage');
  return swimMessageType;
}

function updateOut(u: MemberUpdate): Record<string, unknown> {
  return { id: u.id, address: u.address, state: u.state, incarnation: u.incarnation, by: u.by ?? '' };
}

interface UpdateIn { id: string; address: string; state: string; incarnation: number; by: string }

function updateIn(u: UpdateIn): MemberUpdate {
  const out: MemberUpdate = { id: u.id, address: u.address, state: u.state as MemberState, incarnation: u.incarnation };
  if (u.by) out.by = u.by;
  return out;
}

/** The protobuf encoding of a SwimMessage. */
export function encodeSwimMessage(m: SwimMessage): Uint8Array {
  const header = { from: m.from, fromAddress: m.fromAddress, fromIncarnation: m.fromIncarnation, updates: m.updates.map(updateOut) };
  let body: Record<string, unknown>;
  switch (m.type) {
    case 'PING': body = { ping: { seq: m.seq, target: m.target } }; break;
    case 'PING_REQ': body = { pingReq: { seq: m.seq, target: m.target, targetAddress: m.targetAddress } }; break;
    case 'ACK': body = { ack: { seq: m.seq, target: m.target, nack: m.nack === true } }; break;
    case 'SYNC': body = { sync: { reply: m.reply, members: m.members.map(updateOut) } }; break;
    case 'GOSSIP': body = { gossip: {} }; break;
  }
  const t = messageType();
  return t.encode(t.fromObject({ ...header, ...body })).finish();
}

/**
 * Decodes a SwimMessage. Throws InvalidArgumentError when the bytes are not one or name no body;
 * the caller still runs validateMessage (shape and limits) before applying it.
 */
export function decodeSwimMessage(bytes: Uint8Array): SwimMessage {
  let o: Record<string, unknown>;
  try {
    const t = messageType();
    o = t.toObject(t.decode(bytes), TO_OBJECT) as Record<string, unknown>;
  } catch (err) {
    throw new InvalidArgumentError(`invalid swim message: undecodable (${(err as Error).message})`);
  }
  const header = {
    from: o.from as string, fromAddress: o.fromAddress as string, fromIncarnation: o.fromIncarnation as number,
    updates: (o.updates as UpdateIn[]).map(updateIn),
  };
  switch (o.body) {
    case 'ping': {
      const b = o.ping as { seq: number; target: string };
      return { ...header, type: 'PING', seq: b.seq, target: b.target };
    }
    case 'pingReq': {
      const b = o.pingReq as { seq: number; target: string; targetAddress: string };
      return { ...header, type: 'PING_REQ', seq: b.seq, target: b.target, targetAddress: b.targetAddress };
    }
    case 'ack': {
      const b = o.ack as { seq: number; target: string; nack: boolean };
      return b.nack ? { ...header, type: 'ACK', seq: b.seq, target: b.target, nack: true } : { ...header, type: 'ACK', seq: b.seq, target: b.target };
    }
    case 'sync': {
      const b = o.sync as { reply: boolean; members: UpdateIn[] };
      return { ...header, type: 'SYNC', reply: b.reply, members: b.members.map(updateIn) };
    }
    case 'gossip':
      return { ...header, type: 'GOSSIP' };
    default:
      throw new InvalidArgumentError('invalid swim message: no body');
  }
}

/** HMAC-SHA256 of the encoded message under the membership key; empty on an open cluster (no key). */
export function membershipMac(key: Buffer | undefined, bytes: Uint8Array): Buffer {
  return key ? createHmac('sha256', key).update(bytes).digest() : Buffer.alloc(0);
}

/**
 * Checks an envelope's MAC (constant-time). With a key, a missing or wrong MAC throws
 * UnauthenticatedError; without one (open cluster) the MAC is ignored.
 */
export function checkMembershipMac(key: Buffer | undefined, bytes: Uint8Array, mac: Uint8Array | undefined): void {
  if (!key) return;
  if (!mac || mac.length === 0) throw new UnauthenticatedError('swim envelope without a MAC on a secured cluster (is every DataNode started with the same --secret-file?)');
  const expected = membershipMac(key, bytes);
  if (mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), expected)) {
    throw new UnauthenticatedError('swim envelope MAC does not match the cluster secret');
  }
}

/** The GetMembership answer for `view` (sorted by id) at `nowMs`. */
export function membershipViewOut(o: {
  selfId: string; selfAddress: string; selfIncarnation: number; view: readonly MemberView[]; nowMs: number;
  protocolPeriodMs: number; suspicionTimeoutMinMs: number; suspicionTimeoutMaxMs: number;
}): MembershipViewOut {
  const members = [...o.view].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((m) => ({
    id: m.id, address: m.address, state: m.state, incarnation: m.incarnation, msInState: Math.max(0, Math.round(o.nowMs - m.sinceMs)),
    msSinceHeard: m.lastHeardMs === undefined ? 0 : Math.max(0, Math.round(o.nowMs - m.lastHeardMs)), neverHeard: m.lastHeardMs === undefined,
  }));
  return {
    selfId: o.selfId, selfAddress: o.selfAddress, selfIncarnation: o.selfIncarnation, members,
    protocolPeriodMs: o.protocolPeriodMs, suspicionTimeoutMinMs: o.suspicionTimeoutMinMs, suspicionTimeoutMaxMs: o.suspicionTimeoutMaxMs,
  };
}

/** Largest uint32 (PeerProbeResult.ms_since_heard). */
const MAX_UINT32 = 0xffff_ffff;

/** One PeerProbeResult for a heartbeat: the probe's verdict plus what our view says about the target now. */
export function peerProbeResultOut(o: { targetId: string; reachable: boolean; view: MemberView | undefined; nowMs: number }): PeerProbeResultOut {
  const heard = o.view?.lastHeardMs;
  return {
    nodeId: o.targetId, reachable: o.reachable,
    msSinceHeard: o.reachable || heard === undefined ? 0 : Math.min(MAX_UINT32, Math.max(0, Math.round(o.nowMs - heard))),
    neverHeard: !o.reachable && heard === undefined, memberState: o.view?.state ?? 'MEMBER_STATE_UNSPECIFIED',
  };
}
