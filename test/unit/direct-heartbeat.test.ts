/**
 * Heartbeat streams served on node:http2 directly (adapters/direct-heartbeat.ts) against a grpc-js
 * client on loopback: beats arrive decoded with the stream's metadata, answers reach the client,
 * an 'error' emitted on the call ends it with that status and error metadata, an over-long
 * message ends it with RESOURCE_EXHAUSTED, a client half-close is 'end', a cancel ends it too,
 * and every other RPC of the server still goes through grpc-js.
 */
import * as grpc from '@grpc/grpc-js';
import {
  CHANNEL_OPTIONS, type DatanodeProtocolClient, ERROR_METADATA_KEY, type HeartbeatResponse, type HeartbeatResponse__Output, InvalidArgumentError,
  SERVER_OPTIONS, bindServer, loadProtos, toGrpcError,
} from '@minidfs/common';
import { type DirectHeartbeatCall, serveHeartbeatsDirectly } from '../../packages/namenode/src/adapters/direct-heartbeat';

const MAX_MESSAGE_BYTES = 4096;

describe('Heartbeat served on node:http2 directly', () => {
  let server: grpc.Server;
  let client: DatanodeProtocolClient;
  const calls: DirectHeartbeatCall[] = [];
  const seen: Array<{ event: string; value?: unknown; call: DirectHeartbeatCall }> = [];
  /** What the server does with each beat: answer it (default) or refuse the stream. */
  let onBeat: (call: DirectHeartbeatCall, beat: { nodeId: string; sequence: number }) => void;

  beforeAll(async () => {
    const protos = loadProtos();
    server = new grpc.Server(SERVER_OPTIONS);
    const unimplemented = (_call: unknown, callback: (err: Partial<grpc.ServiceError>) => void) => callback({ code: grpc.status.UNIMPLEMENTED });
    server.addService(protos.DatanodeProtocol.service, {
      Register: (_call: unknown, callback: (err: null, value: object) => void) => callback(null, { nodeId: 'via-grpc-js' }),
      Heartbeat: () => { throw new Error('grpc-js must not see Heartbeat streams'); },
      BlockReport: unimplemented, BlockReceivedAndDeleted: unimplemented, ReportBadBlocks: unimplemented,
    } as never);
    const port = await bindServer(server, '127.0.0.1:0');
    const hb = protos.DatanodeProtocol.service.Heartbeat;
    serveHeartbeatsDirectly(server, (call) => {
      calls.push(call);
      call.on('data', (beat: { nodeId: string; sequence: number }) => { seen.push({ event: 'data', value: beat, call }); onBeat(call, beat); });
      for (const event of ['end', 'cancelled', 'close']) call.on(event, () => seen.push({ event, call }));
      call.on('end', () => call.end()); // as the Heartbeat handler does
    }, { decode: (b) => hb.requestDeserialize(b), encode: (m) => hb.responseSerialize(m as HeartbeatResponse) }, MAX_MESSAGE_BYTES);
    client = new protos.DatanodeProtocol(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  beforeEach(() => {
    calls.length = 0;
    seen.length = 0;
    onBeat = (call, beat) => call.write({ ackedSequence: beat.sequence, commands: [] });
  });

  /** Opens a stream with `metadata`, writes the beats, resolves with the answers and the final status. */
  function stream(beats: object[], metadata = new grpc.Metadata(), close: 'end' | 'cancel' | 'none' = 'end') {
    const call = client.Heartbeat(metadata) as unknown as grpc.ClientDuplexStream<object, HeartbeatResponse__Output>;
    const answers: number[] = [];
    const done = new Promise<{ answers: number[]; code: number; details: string; error?: string }>((resolve) => {
      call.on('data', (r: HeartbeatResponse__Output) => {
        answers.push(Number(r.ackedSequence));
        if (close === 'end' && answers.length === beats.length) call.end();
        if (close === 'cancel' && answers.length === beats.length) call.cancel();
      });
      call.on('status', (s: grpc.StatusObject) => resolve({
        answers, code: s.code, details: s.details, error: s.metadata.get(ERROR_METADATA_KEY)[0] as string | undefined,
      }));
      call.on('error', () => undefined);
    });
    for (const b of beats) call.write(b);
    return done;
  }

  const beat = (sequence: number, extra: object = {}) => ({ nodeId: 'dn1', registrationId: 'r1', sequence, capacityBytes: 10, ...extra });

  test('beats arrive decoded with the stream metadata; answers reach the client; a half-close is end, then OK', async () => {
    const md = new grpc.Metadata();
    md.set('minidfs-ack-gap-ms', '4000');
    const r = await stream([beat(1), beat(2), beat(3)], md);
    expect(r).toMatchObject({ answers: [1, 2, 3], code: grpc.status.OK });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.metadata.get('minidfs-ack-gap-ms')).toEqual(['4000']);
    expect(seen.filter((s) => s.event === 'data' && s.call === calls[0]).map((s) => s.value)).toEqual([1, 2, 3].map((k) => expect.objectContaining({
      nodeId: 'dn1', registrationId: 'r1', sequence: k, capacityBytes: 10, usedBytes: 0, goodbye: false, peerProbes: [],
    })));
    expect(seen.filter((s) => s.call === calls[0]).map((s) => s.event)).toEqual(['data', 'data', 'data', 'end', 'close']);
  });

  test("an 'error' emitted on the call ends it with that status and its error metadata", async () => {
    onBeat = (call, b) => {
      if (b.sequence === 2) call.emit('error', toGrpcError(new InvalidArgumentError('one heartbeat stream carries one node id (dn1)')));
      else call.write({ ackedSequence: b.sequence, commands: [] });
    };
    const r = await stream([beat(1), beat(2), beat(3)], undefined, 'none');
    expect(r).toEqual({ answers: [1], code: grpc.status.INVALID_ARGUMENT, details: 'one heartbeat stream carries one node id (dn1)', error: 'INVALID_ARGUMENT' });
    expect(calls[0]!.write({ ackedSequence: 9, commands: [] })).toBe(false); // nothing after the status
  });

  test('a message over the limit ends the call with RESOURCE_EXHAUSTED before it is decoded', async () => {
    const r = await stream([beat(1, { nodeId: 'x'.repeat(MAX_MESSAGE_BYTES + 1) })], undefined, 'none');
    expect(r.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(seen.filter((s) => s.event === 'data' && s.call === calls[0])).toHaveLength(0);
  });

  test('a client cancel ends the call (end or cancelled), then close', async () => {
    const r = await stream([beat(1)], undefined, 'cancel');
    expect(r.code).toBe(grpc.status.CANCELLED);
    const mine = () => seen.filter((s) => s.call === calls[0]).map((s) => s.event);
    await new Promise<void>((resolve) => { const t = setInterval(() => { if (mine().includes('close')) { clearInterval(t); resolve(); } }, 5); });
    // grpc-js may half-close before its RST_STREAM: the handler sees 'end' or 'cancelled', then 'close'.
    expect(mine()).toEqual(['data', expect.stringMatching(/^(end|cancelled)$/), 'close']);
  });

  test('other RPCs of the service still go through grpc-js', async () => {
    const res = await new Promise<{ nodeId: string }>((resolve, reject) => client.Register({ info: { id: 'dn1' } }, (err, v) => (err ? reject(err) : resolve(v as { nodeId: string }))));
    expect(res.nodeId).toBe('via-grpc-js');
  });
});
