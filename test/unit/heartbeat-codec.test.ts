/**
 * The heartbeat path's hand codec (adapters/heartbeat-codec.ts) against proto-loader's: every
 * HeartbeatRequest encoded by protobufjs decodes to the same object (uint64 as numbers, uint32 as
 * their low 32 bits, defaults filled in); requests with peer probes, odd wire types or cut bytes
 * go to the generic decoder; every command-less HeartbeatResponse it encodes decodes (protobufjs)
 * to what was given.
 */
import fc from 'fast-check';
import { type HeartbeatRequest, type HeartbeatResponse, loadProtos } from '@minidfs/common';
import { decodeHeartbeatRequestFast, encodeHeartbeatResponseFast, heartbeatCodec } from '../../packages/namenode/src/adapters/heartbeat-codec';

const hb = loadProtos().DatanodeProtocol.service.Heartbeat;
const generic = { decode: (b: Buffer) => hb.requestDeserialize(b), encode: (m: unknown) => hb.responseSerialize(m as HeartbeatResponse) };
const encodeRequest = (m: HeartbeatRequest) => hb.requestSerialize(m);
const decodeResponse = (b: Buffer) => hb.responseDeserialize(b);

const u64 = fc.oneof(fc.constantFrom(0, 1, 127, 128, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const u32 = fc.oneof(fc.constantFrom(0, 1, 127, 128, 2 ** 31, 2 ** 32 - 1), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
const request = fc.record({
  nodeId: fc.string({ maxLength: 40 }), registrationId: fc.string({ maxLength: 60 }), sequence: u64, capacityBytes: u64, usedBytes: u64,
  remainingBytes: u64, activeTransfers: u32, failedVolumes: u32, goodbye: fc.boolean(), blockCount: u32, sendLagMs: u32,
}, { requiredKeys: [] });

describe('heartbeat codec', () => {
  test('decodes every HeartbeatRequest as proto-loader does', () => {
    fc.assert(fc.property(request, (m) => {
      const bytes = encodeRequest(m);
      expect(decodeHeartbeatRequestFast(bytes)).toEqual(generic.decode(bytes));
    }), { numRuns: 500 });
  });

  test('a negative number sent as uint64 / uint32 decodes to what protobufjs gives (then refused by the limits)', () => {
    const bytes = encodeRequest({ nodeId: 'dn1', sequence: -1 as unknown as number, blockCount: -1 as unknown as number, capacityBytes: '-1' as unknown as number });
    expect(decodeHeartbeatRequestFast(bytes)).toEqual(generic.decode(bytes));
  });

  test('skips unknown fields; hands peer probes, odd wire types and cut bytes to the generic decoder', () => {
    const base = encodeRequest({ nodeId: 'dn1', sequence: 5 });
    // field 99 varint, field 100 length-delimited, field 101 fixed32, field 102 fixed64 (a newer sender)
    const unknown = Buffer.concat([base, Buffer.from([0x98, 0x06, 0x07, 0xa2, 0x06, 0x02, 0x61, 0x62, 0xad, 0x06, 1, 2, 3, 4, 0xb1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8])]);
    expect(decodeHeartbeatRequestFast(unknown)).toEqual(generic.decode(unknown));
    const probes = encodeRequest({ nodeId: 'dn1', sequence: 5, peerProbes: [{ nodeId: 'dn2', reachable: true, memberState: 'ALIVE' }] });
    expect(decodeHeartbeatRequestFast(probes)).toBeUndefined();
    expect(heartbeatCodec(generic).decode(probes)).toEqual(generic.decode(probes));
    expect(decodeHeartbeatRequestFast(Buffer.from([0x18]))).toBeUndefined(); // sequence tag without its value
    expect(decodeHeartbeatRequestFast(Buffer.from([0x0a, 0x05, 0x61]))).toBeUndefined(); // node id longer than the bytes
    expect(decodeHeartbeatRequestFast(Buffer.from([0x19, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeUndefined(); // sequence as fixed64
  });

  test('encodes command-less answers that protobufjs decodes to the same values; answers with commands go to the generic encoder', () => {
    const answer = fc.record({
      ackedSequence: u64, commands: fc.constant([]),
      haRole: fc.constantFrom(undefined, 'HA_ROLE_UNSPECIFIED', 'ACTIVE', 'STANDBY'), epoch: fc.option(u64, { nil: undefined }),
    }, { requiredKeys: ['ackedSequence', 'commands'] });
    fc.assert(fc.property(answer, (r) => {
      const fast = encodeHeartbeatResponseFast(r)!;
      expect(decodeResponse(fast)).toEqual(decodeResponse(generic.encode(r)));
    }), { numRuns: 500 });
    const withCommands = { ackedSequence: 3, commands: [{ reregister: { reason: 'x' } }] };
    expect(encodeHeartbeatResponseFast(withCommands)).toBeUndefined();
    expect(decodeResponse(heartbeatCodec(generic).encode(withCommands))).toEqual(decodeResponse(generic.encode(withCommands)));
  });
});
