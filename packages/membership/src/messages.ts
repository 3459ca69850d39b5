/**
 * SWIM wire messages as plain typed objects (the gRPC adapter maps them to protobuf at the edge).
 * Every message names its sender (id, address, incarnation: an ALIVE claim straight from the
 * node itself) and piggybacks at most maxUpdatesPerMessage gossip updates. `validateMessage()`
 * checks shape and bounds before anything is applied; bad input throws InvalidArgumentError.
 */
import { InvalidArgumentError, Limits } from '@minidfs/common';
import { MembershipLimits } from './limits';

export type MemberState = 'ALIVE' | 'SUSPECT' | 'DEAD' | 'LEFT';

const STATES: ReadonlySet<string> = new Set<MemberState>(['ALIVE', 'SUSPECT', 'DEAD', 'LEFT']);

/** One gossip fact: "member `id` at `address` is `state` at `incarnation`". */
export interface MemberUpdate {
  id: string;
  address: string;
  state: MemberState;
  incarnation: number;
  /** SUSPECT only: the member whose probe raised (or confirmed) the suspicion. */
  by?: string;
}

interface Envelope {
  from: string;
  fromAddress: string;
  fromIncarnation: number;
  updates: MemberUpdate[];
}

/** Direct probe. `target` is the id the sender means (a reused address answers nothing). */
export interface PingMessage extends Envelope { type: 'PING'; seq: number; target: string }
/** "Probe `target` for me": the receiver PINGs it and relays the ACK under the requester's seq. */
export interface PingReqMessage extends Envelope { type: 'PING_REQ'; seq: number; target: string; targetAddress: string }
/**
 * Answer to a PING with the same seq; `target` is the member that answered (≠ from when relayed).
 * `nack: true` (Lifeguard): the sender, relaying our PING_REQ, got no ACK from `target` in time. It
 * proves the relay is alive and hears us; it never counts as an answer from `target`.
 */
export interface AckMessage extends Envelope { type: 'ACK'; seq: number; target: string; nack?: boolean }
/** Push-pull of (part of) the sender's view; `reply: false` asks the receiver to answer with its own. */
export interface SyncMessage extends Envelope { type: 'SYNC'; reply: boolean; members: MemberUpdate[] }
/** Updates only (leave notices, optional extra fanout). */
export interface GossipMessage extends Envelope { type: 'GOSSIP' }

export type SwimMessage = PingMessage | PingReqMessage | AckMessage | SyncMessage | GossipMessage;

/** A message to send: the adapter resolves `toAddress` (toId, when known, is for logs and checks). */
export interface Outbound {
  toId: string | undefined;
  toAddress: string;
  message: SwimMessage;
}

function fail(what: string): never {
  throw new InvalidArgumentError(`invalid swim message: ${what}`);
}

export function checkId(id: unknown, what: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > Limits.maxNodeIdLength) fail(`${what} id must be 1..${Limits.maxNodeIdLength} characters`);
}

export function checkAddress(address: unknown, what: string): void {
  if (typeof address !== 'string' || address.length === 0 || address.length > MembershipLimits.maxAddressLength) {
    fail(`${what} address must be 1..${MembershipLimits.maxAddressLength} characters`);
  }
}

function checkCount(n: unknown, what: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MembershipLimits.maxIncarnation) fail(`${what} must be a non-negative safe integer`);
}

function checkUpdates(list: unknown, max: number, what: string): void {
  if (!Array.isArray(list)) fail(`${what} must be a list`);
  if (list.length > max) fail(`${what}: ${list.length} entries, at most ${max}`);
  for (const u of list as MemberUpdate[]) {
    if (typeof u !== 'object' || u === null) fail(`${what} entry must be an object`);
    checkId(u.id, what);
    checkAddress(u.address, what);
    if (!STATES.has(u.state)) fail(`${what} state ${String(u.state)}`);
    checkCount(u.incarnation, `${what} incarnation`);
    if (u.state === 'SUSPECT') checkId(u.by, `${what} suspecter`);
  }
}

/** Throws InvalidArgumentError unless `m` is a well-formed message within every limit. */
export function validateMessage(m: SwimMessage, maxUpdatesPerMessage: number = MembershipLimits.maxUpdatesPerMessage): void {
  if (typeof m !== 'object' || m === null) fail('not an object');
  checkId(m.from, 'sender');
  checkAddress(m.fromAddress, 'sender');
  checkCount(m.fromIncarnation, 'sender incarnation');
  checkUpdates(m.updates, maxUpdatesPerMessage, 'updates');
  switch (m.type) {
    case 'PING':
      checkCount(m.seq, 'seq');
      checkId(m.target, 'target');
      return;
    case 'ACK':
      checkCount(m.seq, 'seq');
      checkId(m.target, 'target');
      if (m.nack !== undefined && typeof m.nack !== 'boolean') fail('ACK nack must be a boolean');
      return;
    case 'PING_REQ':
      checkCount(m.seq, 'seq');
      checkId(m.target, 'target');
      checkAddress(m.targetAddress, 'target');
      return;
    case 'SYNC':
      if (typeof m.reply !== 'boolean') fail('SYNC reply must be a boolean');
      checkUpdates(m.members, MembershipLimits.maxSyncEntriesPerMessage, 'members');
      return;
    case 'GOSSIP':
      return;
    default:
      fail(`unknown type ${String((m as { type?: unknown }).type)}`);
  }
}
