/**
 * The loadgen's Heartbeat client on node:http2 (packages/loadgen/src/direct-heartbeat-client.ts):
 * its hand-encoded beats decode (protobufjs) to what proto-loader's encoder gives, and against a
 * plain grpc-js server its stream carries the metadata, the beats and the answers, and a status
 * other than OK comes out as an 'error' with grpc-js's code, details and metadata.
 */
import fc from 'fast-check';
import * as grpc from '@grpc/grpc-js';
import { ERROR_METADATA_KEY, type HeartbeatRequest, SERVER_OPTIONS, UnauthenticatedError, bindServer, loadProtos, toGrpcError } from '@minidfs/common';
import { BeatEncoder, DirectHeartbeatChannel } from '../../packages/loadgen/src/direct-heartbeat-client';

const hb = loadProtos().DatanodeProtocol.service.Heartbeat;
const generic = (m: HeartbeatRequest) => hb.requestSerialize(m);

describe('loadgen direct Heartbeat client', () => {
  test('hand-encoded beats decode to what proto-loader encodes', () => {
    const u = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    const beat = fc.record({
      nodeId: fc.string({ maxLength: 20 }), registrationId: fc.string({ maxLength: 40 }), sequence: u, capacityBytes: u, usedBytes: u, remainingBytes: u,
      activeTransfers: u32, failedVolumes: u32, goodbye: fc.boolean(), blockCount: u32, sendLagMs: u32,
    });
    const encoder = new BeatEncoder(generic);
    fc.assert(fc.property(fc.array(beat, { minLength: 1, maxLength: 4 }), (beats) => {
      for (const m of beats) {
        const frame = encoder.frame(m);
        expect(frame[0]).toBe(0);
        expect(frame.readUInt32BE(1)).toBe(frame.length - 5);
        expect(hb.requestDeserialize(frame.subarray(5))).toEqual(hb.requestDeserialize(generic(m)));
      }
    }), { numRuns: 300 });
    const probes = { nodeId: 'dn1', sequence: 2, peerProbes: [{ nodeId: 'dn2', reachable: true }] };
    expect(hb.requestDeserialize(encoder.frame(probes).subarray(5))).toEqual(hb.requestDeserialize(generic(probes)));
  });

  test('against a grpc-js server: metadata, beats and answers, then a status as an error', async () => {
    const server = new grpc.Server(SERVER_OPTIONS);
    const got: Array<{ sequence: number; token?: unknown }> = [];
    server.addService(loadProtos().DatanodeProtocol.service, {
      Heartbeat: (call: grpc.ServerDuplexStream<{ sequence: number }, object>) => {
        call.on('data', (b: { sequence: number }) => {
          got.push({ sequence: b.sequence, token: call.metadata.get('minidfs-session')[0] });
          if (b.sequence < 3) call.write({ ackedSequence: b.sequence, commands: b.sequence === 2 ? [{ reregister: { reason: 'test' } }] : [] });
          else call.emit('error', toGrpcError(new UnauthenticatedError('session token of an earlier registration')));
        });
      },
    } as never);
    const port = await bindServer(server, '127.0.0.1:0');
    const channel = new DirectHeartbeatChannel(`127.0.0.1:${port}`);
    try {
      const md = new grpc.Metadata();
      md.set('minidfs-session', 'tok');
      const call = channel.open(md);
      const answers: Array<{ ackedSequence: number; commands: unknown[] }> = [];
      const failed = new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
      call.on('data', (a: { ackedSequence: number; commands: unknown[] }) => answers.push(a));
      for (let s = 1; s <= 3; s++) call.write({ nodeId: 'dn1', registrationId: 'r1', sequence: s, capacityBytes: 100 });
      const err = await failed;
      expect(got).toEqual([1, 2, 3].map((sequence) => ({ sequence, token: 'tok' })));
      expect(answers.map((a) => a.ackedSequence)).toEqual([1, 2]);
      expect(answers[1]!.commands).toEqual([expect.objectContaining({ reregister: { reason: 'test' } })]);
      expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(err.details).toBe('session token of an earlier registration');
      expect(err.metadata.get(ERROR_METADATA_KEY)).toEqual(['UNAUTHENTICATED']);
      expect(call.write({ nodeId: 'dn1', sequence: 4 })).toBe(false);
    } finally {
      channel.close();
      server.forceShutdown();
    }
  });
});
