/**
 * HeartbeatRequest decoding and HeartbeatResponse encoding by hand for the heartbeat path
 * (adapters/direct-heartbeat.ts), equivalent to proto-loader's (longs: Number, enums: String,
 * defaults: true): one object per beat instead of protobufjs's message plus its toObject copy.
 * Anything unusual goes to the generic codec given: a request with peer probe answers or a field
 * of an unexpected wire type, an answer with commands. Equivalence is property-tested
 * (test/unit/heartbeat-codec.test.ts).
 */
import { type HeartbeatRequest__Output, writeVarint } from '@minidfs/common';

export interface Codec {
  decode(bytes: Buffer): unknown;
  encode(message: unknown): Buffer;
}

const TWO_32 = 2 ** 32;

/** Varint at `at` as [low 32 bits unsigned, high 32 bits unsigned, next offset]; -1 offset when cut short. */
function varint(buf: Buffer, at: number, out: Float64Array): number {
  let lo = 0;
  let hi = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    if (at >= buf.length) return -1;
    const b = buf[at++]!;
    if (shift < 28) lo |= (b & 0x7f) << shift;
    else if (shift === 28) {
      lo |= (b & 0x0f) << 28;
      hi |= (b & 0x7f) >>> 4;
    } else hi |= (b & 0x7f) << (shift - 32);
    if (b < 0x80) {
      out[0] = lo >>> 0;
      out[1] = hi >>> 0;
      return at;
    }
    shift += 7;
  }
  return -1;
}

const scratch = new Float64Array(2);

/** A HeartbeatRequest, or undefined when the generic decoder must take it (peer probes, odd wire types, bad bytes). */
export function decodeHeartbeatRequestFast(buf: Buffer): HeartbeatRequest__Output | undefined {
  const m: HeartbeatRequest__Output = {
    nodeId: '', registrationId: '', sequence: 0, capacityBytes: 0, usedBytes: 0, remainingBytes: 0, activeTransfers: 0, failedVolumes: 0,
    goodbye: false, blockCount: 0, sendLagMs: 0, peerProbes: [],
  };
  const v = scratch;
  let at = 0;
  while (at < buf.length) {
    at = varint(buf, at, v);
    if (at < 0 || v[1] !== 0) return undefined;
    const tag = v[0]!;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field >= 1 && field <= 11) {
      const text = field === 1 || field === 2;
      if (wire !== (text ? 2 : 0)) return undefined;
      at = varint(buf, at, v);
      if (at < 0) return undefined;
      if (text) {
        const end = at + v[0]!;
        if (v[1] !== 0 || end > buf.length) return undefined;
        const s = buf.toString('utf8', at, end);
        if (field === 1) m.nodeId = s;
        else m.registrationId = s;
        at = end;
        continue;
      }
      const lo = v[0]!;
      switch (field) {
        case 3: m.sequence = v[1]! * TWO_32 + lo; break;
        case 4: m.capacityBytes = v[1]! * TWO_32 + lo; break;
        case 5: m.usedBytes = v[1]! * TWO_32 + lo; break;
        case 6: m.remainingBytes = v[1]! * TWO_32 + lo; break;
        case 7: m.activeTransfers = lo; break;
        case 8: m.failedVolumes = lo; break;
        case 9: m.goodbye = lo !== 0; break;
        case 10: m.blockCount = lo; break;
        default: m.sendLagMs = lo; break; // 11
      }
      continue;
    }
    if (field === 12 || field === 0) return undefined; // peer probes: the generic decoder
    // An unknown field (a newer sender): skipped, as protobufjs does.
    if (wire === 0) at = varint(buf, at, v);
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      at = varint(buf, at, v);
      if (at < 0 || v[1] !== 0) return undefined;
      at += v[0]!;
    } else return undefined;
    if (at < 0 || at > buf.length) return undefined;
  }
  return m;
}

const HA_ROLES: Readonly<Record<string, number>> = { HA_ROLE_UNSPECIFIED: 0, ACTIVE: 1, STANDBY: 2 };

/** A HeartbeatResponse without commands (ack, HA role, epoch), or undefined for the generic encoder. */
export function encodeHeartbeatResponseFast(r: { ackedSequence?: number; commands?: readonly unknown[]; haRole?: string; epoch?: number }): Buffer | undefined {
  if (r.commands && r.commands.length > 0) return undefined;
  const acked = r.ackedSequence ?? 0;
  const role = r.haRole === undefined ? 0 : HA_ROLES[r.haRole];
  const epoch = r.epoch ?? 0;
  if (role === undefined || !Number.isSafeInteger(acked) || acked < 0 || !Number.isSafeInteger(epoch) || epoch < 0) return undefined;
  const out = Buffer.allocUnsafe(3 * 11);
  let at = 0;
  if (acked > 0) { out[at++] = 0x08; at = writeVarint(out, at, acked); }
  if (role > 0) { out[at++] = 0x18; out[at++] = role; }
  if (epoch > 0) { out[at++] = 0x20; at = writeVarint(out, at, epoch); }
  return out.subarray(0, at);
}

/** The heartbeat codec: the fast paths above, `generic` for the rest. */
export function heartbeatCodec(generic: Codec): Codec {
  return {
    decode: (bytes) => decodeHeartbeatRequestFast(bytes) ?? generic.decode(bytes),
    encode: (message) => encodeHeartbeatResponseFast(message as Parameters<typeof encodeHeartbeatResponseFast>[0]) ?? generic.encode(message),
  };
}
