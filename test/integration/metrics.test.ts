/**
 * Metrics and the UI's JSON/SSE feed against real processes: a NameNode and 3 DataNodes (fast
 * profile). /metrics is parsed as Prometheus text; the state gauges must follow a kill -9, the
 * detection latency must land in its histogram, client RPCs must be counted. The stream test
 * checks the SSE framing, the client bound and that disconnected clients are cleaned up. The
 * DataNode metrics server is checked on its own with a scripted snapshot.
 */
import { DfsClient } from '@minidfs/client';
import { type DataNodeMetricsSnapshot, startDataNodeMetricsServer } from '../../packages/datanode/src/metrics-server';
import { MAX_STREAM_CLIENTS } from '../../packages/namenode/src/adapters/http-server';
import { HeartbeatHistory, NameNodeMetrics, heartbeatTimeline } from '../../packages/namenode/src/adapters/metrics';
import { EventLog } from '../../packages/namenode/src/core/event-log';
import { FAST, TestCluster } from '../support/cluster';
import { waitFor } from '../support/wait';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** Prometheus text format (0.0.4) -> samples. Comments and HELP/TYPE lines are skipped. */
function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of the samples called `name` whose labels include `labels`; undefined if there is none. */
function metric(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hits.length ? hits.reduce((a, s) => a + s.value, 0) : undefined;
}

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

interface SseFrame { event: string; id?: string; data: unknown }

/** Reads SSE frames from a fetch response until `done(frames)` says so. */
async function readFrames(res: Response, done: (frames: SseFrame[]) => boolean, timeoutMs = 10_000): Promise<SseFrame[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const frames: SseFrame[] = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  while (!done(frames)) {
    if (Date.now() > deadline) throw new Error(`SSE: timed out; got ${frames.map((f) => f.event).join(',')}`);
    const { value, done: ended } = await reader.read();
    if (ended) break;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const f: SseFrame = { event: 'message', data: undefined };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) f.event = line.slice(7);
        else if (line.startsWith('id: ')) f.id = line.slice(4);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) {
        f.data = JSON.parse(data.join('\n'));
        frames.push(f);
      }
    }
  }
  return frames;
}

describe('NameNode /metrics, JSON API and event stream (3 DataNodes, fast profile)', () => {
  let cluster: TestCluster;
  let base: string;

  beforeAll(async () => {
    cluster = await TestCluster.start(3);
    base = `http://127.0.0.1:${cluster.httpPort}`;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  test('exposes nodes by state, heartbeats, liveness settings and process metrics', async () => {
    const s = await waitFor('heartbeat gaps observed', async () => {
      const samples = await scrape(`${base}/metrics`);
      // (Waiting on LIVE too: a loaded CI box may briefly make a node STALE.)
      return (metric(samples, 'minidfs_namenode_heartbeat_gap_seconds_count') ?? 0) >= 6
        && metric(samples, 'minidfs_namenode_datanodes', { state: 'LIVE' }) === 3 ? samples : undefined;
    });
    expect(metric(s, 'minidfs_namenode_datanodes', { state: 'LIVE' })).toBe(3);
    expect(metric(s, 'minidfs_namenode_datanodes', { state: 'STALE' })).toBe(0);
    expect(metric(s, 'minidfs_namenode_datanodes', { state: 'DEAD' })).toBe(0);
    for (const id of ['dn1', 'dn2', 'dn3']) expect(metric(s, 'minidfs_namenode_datanode_state', { node: id, state: 'LIVE' })).toBe(1);
    expect(metric(s, 'minidfs_namenode_heartbeats_received_total', { result: 'accepted' })).toBeGreaterThan(0);
    expect(metric(s, 'minidfs_namenode_liveness_transitions_total', { from: 'NEW', to: 'LIVE', reason: 'registered' })).toBe(3);
    expect(metric(s, 'minidfs_namenode_liveness_config', { setting: 'heartbeat_interval_seconds' })).toBeCloseTo(FAST.heartbeatIntervalMs / 1000);
    // Beats arrive about one interval apart: the median gap sits in the bucket just above it.
    const gapCount = metric(s, 'minidfs_namenode_heartbeat_gap_seconds_count')!;
    const atMostThreeIntervals = metric(s, 'minidfs_namenode_heartbeat_gap_seconds_bucket', { le: String(3 * FAST.heartbeatIntervalMs / 1000) })!;
    expect(atMostThreeIntervals / gapCount).toBeGreaterThan(0.5);
    for (const name of ['minidfs_namenode_blocks_under_replicated', 'minidfs_namenode_blocks_missing', 'minidfs_namenode_blocks_corrupt',
      'minidfs_namenode_replications_pending', 'minidfs_namenode_safe_mode']) {
      expect(metric(s, name)).toBe(0);
    }
    expect(metric(s, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(metric(s, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(metric(s, 'nodejs_eventloop_lag_seconds')).toBeDefined();
  });

  test('counts client RPCs and files', async () => {
    const client = new DfsClient({ namenode: cluster.namenodeAddress });
    try {
      await client.writeFile('/metrics/a.bin', Buffer.alloc(100_000, 7), { replication: 3, blockSizeBytes: 65536 });
      expect((await client.list('/metrics')).length).toBe(1);
    } finally {
      client.close();
    }
    const s = await waitFor('files counted', async () => {
      const samples = await scrape(`${base}/metrics`);
      return metric(samples, 'minidfs_namenode_files') === 1 ? samples : undefined;
    });
    expect(metric(s, 'minidfs_namenode_blocks')).toBe(2);
    expect(metric(s, 'minidfs_namenode_client_rpc_total', { method: 'Create', result: 'ok' })).toBe(1);
    expect(metric(s, 'minidfs_namenode_client_rpc_total', { method: 'AddBlock', result: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(metric(s, 'minidfs_namenode_client_rpc_total', { method: 'ListStatus', result: 'ok' })).toBe(1);
    expect(metric(s, 'minidfs_namenode_client_rpc_duration_seconds_count', { method: 'Create' })).toBe(1);
    expect(metric(s, 'minidfs_namenode_cluster_events_total', { type: 'file-completed' })).toBe(1);
  });

  test('serves the UI (no external resources) and the JSON the UI reads', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await index.text();
    expect(html).toContain('minidfs');
    expect(html).not.toMatch(/https?:\/\//);
    for (const [file, type] of [['app.js', /javascript/], ['style.css', /text\/css/], ['favicon.svg', /svg/]] as const) {
      const res = await fetch(`${base}/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(type);
      expect(await res.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    }
    expect((await fetch(`${base}/../package.json`)).status).toBe(404);

    const hb = await (await fetch(`${base}/api/heartbeats`)).json() as { heartbeatIntervalMs: number; beatsPerNode: number; nodes: Array<{ id: string; msAgo: number[] }> };
    expect(hb.heartbeatIntervalMs).toBe(FAST.heartbeatIntervalMs);
    expect(hb.nodes.map((n) => n.id).sort()).toEqual(['dn1', 'dn2', 'dn3']);
    for (const n of hb.nodes) {
      expect(n.msAgo.length).toBeGreaterThan(3);
      expect(n.msAgo.length).toBeLessThanOrEqual(hb.beatsPerNode);
      expect([...n.msAgo].sort((a, b) => a - b)).toEqual(n.msAgo); // newest first
      expect(n.msAgo[0]).toBeLessThan(FAST.heartbeatIntervalMs * FAST.staleAfter);
    }

    const overview = await (await fetch(`${base}/api/overview`)).json() as Record<string, any>;
    expect(overview.datanodes.live).toBe(3);
    expect(overview.fsck.files).toBe(1);
    expect(overview.liveness).toEqual({ heartbeatIntervalMs: FAST.heartbeatIntervalMs, staleAfterMissed: FAST.staleAfter, deadAfterMissed: FAST.deadAfter });

    const files = await (await fetch(`${base}/api/files?path=/metrics`)).json() as { isDirectory: boolean; entries: Array<{ path: string; lengthBytes: number }> };
    expect(files.isDirectory).toBe(true);
    expect(files.entries).toEqual([expect.objectContaining({ path: '/metrics/a.bin', lengthBytes: 100_000 })]);
    expect((await fetch(`${base}/api/files?path=/nope`)).status).toBe(404);
    expect((await fetch(`${base}/api/files/stat?path=relative`)).status).toBe(400);
  });

  test('event stream: a snapshot and the event backlog at once, at most MAX_STREAM_CLIENTS, closed streams are cleaned up', async () => {
    const first = new AbortController();
    const res = await fetch(`${base}/api/stream`, { signal: first.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = await readFrames(res, (fs) => fs.filter((f) => f.event === 'snapshot').length >= 2 && fs.some((f) => f.event === 'events'));
    const snapshot = frames.find((f) => f.event === 'snapshot')!.data as Record<string, any>;
    expect(snapshot.datanodes.live).toBe(3);
    expect(snapshot.heartbeats.nodes).toHaveLength(3);
    const events = frames.find((f) => f.event === 'events')!;
    const registrations = (events.data as Array<{ type: string; from?: string }>).filter((e) => e.type === 'transition' && e.from === 'NEW');
    expect(registrations).toHaveLength(3);
    expect(Number(events.id)).toBeGreaterThanOrEqual(3);
    first.abort();

    // Resuming with Last-Event-ID sends only newer events.
    const resumed = new AbortController();
    const again = await fetch(`${base}/api/stream`, { signal: resumed.signal, headers: { 'last-event-id': events.id! } });
    const resumedFrames = await readFrames(again, (fs) => fs.some((f) => f.event === 'snapshot'));
    expect(resumedFrames.some((f) => f.event === 'events')).toBe(false);
    resumed.abort();

    const controllers: AbortController[] = [];
    await waitFor('room for a full set of streams', async () => {
      for (const c of controllers.splice(0)) c.abort();
      const opened = await Promise.all(Array.from({ length: MAX_STREAM_CLIENTS }, async () => {
        const c = new AbortController();
        controllers.push(c);
        return (await fetch(`${base}/api/stream`, { signal: c.signal })).status;
      }));
      return opened.every((s) => s === 200);
    });
    const refused = await fetch(`${base}/api/stream`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual(expect.objectContaining({ error: 'TOO_MANY_STREAMS' }));
    for (const c of controllers) c.abort();
    await waitFor('a stream slot after clients left', async () => {
      const c = new AbortController();
      const r = await fetch(`${base}/api/stream`, { signal: c.signal });
      c.abort();
      return r.status === 200;
    });
  });

  test('state gauges follow a kill -9: STALE at once, then DEAD; detection latency and under-replication recorded', async () => {
    await cluster.dn('dn2').kill9();
    const dead = await waitFor('dn2 DEAD, the others LIVE in /metrics', async () => {
      const s = await scrape(`${base}/metrics`);
      return metric(s, 'minidfs_namenode_datanode_state', { node: 'dn2', state: 'DEAD' }) === 1
        && metric(s, 'minidfs_namenode_datanodes', { state: 'LIVE' }) === 2 ? s : undefined;
    }, 15_000, 50);
    expect(metric(dead, 'minidfs_namenode_datanodes', { state: 'LIVE' })).toBe(2);
    expect(metric(dead, 'minidfs_namenode_datanodes', { state: 'STALE' })).toBe(0);
    expect(metric(dead, 'minidfs_namenode_datanodes', { state: 'DEAD' })).toBe(1);
    // The broken stream made it STALE at once; the missed beats made it DEAD.
    expect(metric(dead, 'minidfs_namenode_liveness_transitions_total', { from: 'LIVE', to: 'STALE', reason: 'stream-closed' })).toBe(1);
    expect(metric(dead, 'minidfs_namenode_liveness_transitions_total', { from: 'STALE', to: 'DEAD', reason: 'missed-beats' })).toBe(1);
    expect(metric(dead, 'minidfs_namenode_dead_detection_latency_seconds_count', { reason: 'missed-beats' })).toBe(1);
    const latencyS = metric(dead, 'minidfs_namenode_dead_detection_latency_seconds_sum', { reason: 'missed-beats' })!;
    expect(latencyS).toBeGreaterThanOrEqual((FAST.deadAfter * FAST.heartbeatIntervalMs) / 1000);
    expect(latencyS).toBeLessThan(10);
    // The file has replication 3 on 3 nodes: with dn2 gone both blocks are short of a replica.
    // (The planner queues them on its next pass, once per heartbeat interval.)
    const under = await waitFor('under-replicated blocks counted and queued', async () => {
      const s = await scrape(`${base}/metrics`);
      return metric(s, 'minidfs_namenode_blocks_under_replicated') === 2
        && (metric(s, 'minidfs_namenode_replication_events_total', { type: 'queued' }) ?? 0) >= 2 ? s : undefined;
    });
    expect(metric(under, 'minidfs_namenode_blocks_missing')).toBe(0);
    // The heartbeat history shows the silence: dn2's newest beat keeps getting older.
    const hb = await (await fetch(`${base}/api/heartbeats`)).json() as { nodes: Array<{ id: string; msAgo: number[] }> };
    expect(hb.nodes.find((n) => n.id === 'dn2')!.msAgo[0]).toBeGreaterThanOrEqual(FAST.deadAfter * FAST.heartbeatIntervalMs);
    expect(hb.nodes.find((n) => n.id === 'dn1')!.msAgo[0]).toBeLessThan(FAST.deadAfter * FAST.heartbeatIntervalMs);
  });
});

describe('DataNode metrics server', () => {
  test('renders the snapshot as Prometheus text; cumulative counters become counters', async () => {
    const snap: DataNodeMetricsSnapshot = {
      nodeId: 'dn7', registered: true, blocks: 4, usedBytes: 4096, capacityBytes: 1 << 30, remainingBytes: 1 << 29,
      transfers: {
        activeTransfers: 1, bytesReceived: 1000, bytesSent: 500, packetsReceived: 3, writesFinalized: 2, writesFailed: 0,
        readsServed: 1, readsFailed: 0, transfersRefused: 0,
      },
      activeReplications: 0,
      heartbeat: { beatsSent: 10, answers: 9, registrations: 1, reconnects: 0, maxSendLagMs: 12 },
    };
    let collects = 0;
    const server = await startDataNodeMetricsServer({ port: 0, host: '127.0.0.1', collect: () => { collects += 1; return snap; } });
    try {
      const url = `http://127.0.0.1:${server.port}/metrics`;
      let s = await scrape(url);
      expect(collects).toBe(1); // one snapshot per scrape
      expect(metric(s, 'minidfs_datanode_info', { node: 'dn7' })).toBe(1);
      expect(metric(s, 'minidfs_datanode_blocks')).toBe(4);
      expect(metric(s, 'minidfs_datanode_used_bytes')).toBe(4096);
      expect(metric(s, 'minidfs_datanode_transfers_active')).toBe(1);
      expect(metric(s, 'minidfs_datanode_received_bytes_total')).toBe(1000);
      expect(metric(s, 'minidfs_datanode_heartbeats_sent_total')).toBe(10);
      expect(metric(s, 'minidfs_datanode_heartbeat_send_lag_max_seconds')).toBeCloseTo(0.012);
      expect(metric(s, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);

      snap.transfers.bytesReceived = 1500;
      snap.heartbeat!.beatsSent = 25;
      snap.blocks = 5;
      s = await scrape(url);
      expect(metric(s, 'minidfs_datanode_received_bytes_total')).toBe(1500);
      expect(metric(s, 'minidfs_datanode_heartbeats_sent_total')).toBe(25);
      expect(metric(s, 'minidfs_datanode_blocks')).toBe(5);

      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('NameNode metrics core (no processes)', () => {
  test('HeartbeatHistory keeps the last N beats per node, returns gaps, and bounds the node count', () => {
    const h = new HeartbeatHistory(4, 2);
    expect(h.record('a', 1000)).toBeUndefined();
    expect(h.record('a', 1100)).toBe(100);
    for (const t of [1200, 1300, 1750]) h.record('a', t);
    expect(h.times('a')).toEqual([1100, 1200, 1300, 1750]); // oldest fell off
    expect(heartbeatTimeline(h, 100, 2000, ['a', 'zz']).nodes).toEqual([{ id: 'a', msAgo: [250, 700, 800, 900] }, { id: 'zz', msAgo: [] }]);
    h.record('b', 1);
    expect(h.record('c', 1)).toBeUndefined(); // third node refused: the bound holds
    expect(h.nodeIds()).toEqual(['a', 'b']);
  });

  test('events become transition, detection-latency and replication metrics; a gap in the log is counted', async () => {
    const log = new EventLog(3);
    const report = { datanodes: [], live: 0, stale: 0, dead: 0, safeMode: false };
    const m = new NameNodeMetrics({
      datanodeReport: () => report, fsck: () => undefined, queuedReplications: () => 0,
      blockLengthBytes: (id) => (id === 7 ? 65536 : undefined), events: (after) => log.since(after),
    }, { heartbeatIntervalMs: 1000, staleAfterMissed: 2, deadAfterMissed: 3 });
    log.append(0, 'transition', { nodeId: 'dn1', from: 'LIVE', to: 'STALE', reason: 'stream-closed', missedBeats: 0, msSinceLastHeartbeat: 5 });
    log.append(3000, 'transition', { nodeId: 'dn1', from: 'STALE', to: 'DEAD', reason: 'missed-beats', missedBeats: 3, msSinceLastHeartbeat: 3100 });
    m.drainEvents();
    log.append(3100, 'replication-scheduled', { blockId: 7, sourceId: 'dn2', targetIds: ['dn3', 'dn4'] });
    log.append(3600, 'replication-copied', { blockId: 7, sourceId: 'dn2', targetId: 'dn3' });
    log.append(4100, 'replication-copied', { blockId: 7, sourceId: 'dn2', targetId: 'dn4' });
    m.onHeartbeat('dn2', 10_000, true);
    m.onHeartbeat('dn2', 11_000, true);
    m.onHeartbeat('dn2', 11_001, false);
    m.onClientCall('Create', 2, true);
    m.onClientCall('Create', 3, false);
    const s = parsePrometheus(await m.render());
    expect(metric(s, 'minidfs_namenode_liveness_transitions_total', { to: 'DEAD', reason: 'missed-beats' })).toBe(1);
    expect(metric(s, 'minidfs_namenode_dead_detection_latency_seconds_sum')).toBeCloseTo(3.1);
    expect(metric(s, 'minidfs_namenode_dead_detection_latency_seconds_bucket', { le: '3' })).toBe(0);
    expect(metric(s, 'minidfs_namenode_dead_detection_latency_seconds_bucket', { le: '4' })).toBe(1);
    expect(metric(s, 'minidfs_namenode_replication_events_total', { type: 'copied' })).toBe(2);
    expect(metric(s, 'minidfs_namenode_replication_bytes_total')).toBe(2 * 65536);
    expect(metric(s, 'minidfs_namenode_replication_duration_seconds_count')).toBe(2);
    expect(metric(s, 'minidfs_namenode_replication_duration_seconds_sum')).toBeCloseTo(0.5 + 1.0);
    expect(metric(s, 'minidfs_namenode_heartbeats_received_total', { result: 'accepted' })).toBe(2);
    expect(metric(s, 'minidfs_namenode_heartbeats_received_total', { result: 'ignored' })).toBe(1);
    expect(metric(s, 'minidfs_namenode_heartbeat_gap_seconds_sum')).toBeCloseTo(1);
    expect(metric(s, 'minidfs_namenode_client_rpc_total', { method: 'Create' })).toBe(2);
    expect(metric(s, 'minidfs_namenode_client_rpc_total', { method: 'Create', result: 'error' })).toBe(1);
    expect(metric(s, 'minidfs_namenode_metrics_events_missed_total')).toBe(0);
    // Five events while nobody drained a log of three: two were lost, and that is counted.
    for (let i = 0; i < 5; i++) log.append(5000 + i, 'file-completed', { path: `/f${i}`, blocks: 1 });
    const after = parsePrometheus(await m.render());
    expect(metric(after, 'minidfs_namenode_metrics_events_missed_total')).toBe(2);
    expect(metric(after, 'minidfs_namenode_cluster_events_total', { type: 'file-completed' })).toBe(3);
  });
});
