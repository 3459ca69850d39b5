/**
 * DataNode `/metrics` (Prometheus text format, prom-client) on its own small HTTP server. It is
 * self-contained: the DataNode hands it a `collect()` that returns a snapshot of its counters and
 * gauges, read once per scrape, so nothing in the data path calls into metrics code. Cumulative
 * counters in the snapshot become Prometheus counters (a counter that goes backwards, e.g. after
 * a restart of the thing that counts, is treated as a reset). Also serves `/healthz`.
 */
import http from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { TransferCounters } from './block-transfer-server';
import type { ScannerStats } from './block-scanner';
import type { NamenodeConnectionStatus } from './namenode-actor';

/** One configured NameNode at a scrape: its link, and what the fence last heard from it. */
export interface NamenodeMetricsStatus extends NamenodeConnectionStatus {
  /** HA role of its last reply (absent before its first reply). */
  role?: string;
  /** Leadership epoch of its last reply (-1 = malformed). */
  epoch?: number;
  /** Its last reply's commands were (or would have been) executed. */
  commandsAccepted?: boolean;
  /** Commands from it that the fence dropped since start. */
  fencedCommands: number;
}

/** What the DataNode reports at each scrape. Counters are cumulative since the process started. */
export interface DataNodeMetricsSnapshot {
  /** The id the NameNode knows this node by. */
  nodeId: string;
  /** Registered with at least one NameNode. */
  registered?: boolean;
  /** Every configured NameNode (absent in snapshots of callers that predate HA). */
  namenodes?: NamenodeMetricsStatus[];
  /** The highest ACTIVE epoch seen (NamenodeFence). */
  highestEpochSeen?: number;
  /** Commands dropped by the fence (a standby's, a deposed active's) since start. */
  fencedCommands?: number;
  blocks: number;
  usedBytes: number;
  capacityBytes: number;
  remainingBytes: number;
  /** Data-transfer counters. */
  transfers: TransferCounters;
  /** Block copies this node is pushing to others right now (re-replication). */
  activeReplications?: number;
  /** Block scanner progress (BlockScanner.stats), absent when the scanner is off. */
  scanner?: ScannerStats;
  /** Heartbeat link counters (HeartbeatLink.counters), absent before the link starts. */
  heartbeat?: {
    beatsSent: number;
    answers: number;
    registrations: number;
    reconnects: number;
    /** Largest delay between when a beat was due and when it was sent, ms. */
    maxSendLagMs: number;
    /** Delay of the most recent beat, ms, if known. */
    lastSendLagMs?: number;
  };
}

export interface DataNodeMetricsServerOptions {
  /** 0 = any free port (read it from the returned handle). */
  port: number;
  host: string;
  collect: () => DataNodeMetricsSnapshot;
}

export interface DataNodeMetricsServer {
  readonly port: number;
  readonly metrics: DataNodeMetrics;
  close(): Promise<void>;
}

export interface DataNodeMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** One scrape: takes one snapshot and renders every metric from it. */
  render(): Promise<string>;
}

/** Builds the metrics without a socket (the server below, and tests, use it). */
export function createDataNodeMetrics(collect: () => DataNodeMetricsSnapshot): DataNodeMetrics {
  const registry = new Registry();
  const r = [registry];
  collectDefaultMetrics({ register: registry });
  // Read once per scrape: the first metric collected takes the snapshot, render() clears it.
  let snapshot: DataNodeMetricsSnapshot | undefined;
  const snap = (): DataNodeMetricsSnapshot => (snapshot ??= collect());

  const gauge = (name: string, help: string, pick: (s: DataNodeMetricsSnapshot) => number | undefined) => new Gauge({
    name, help, registers: r,
    collect() {
      const v = pick(snap());
      if (v !== undefined) this.set(v);
    },
  });
  /** A Prometheus counter fed from a cumulative value in the snapshot. */
  const counter = (name: string, help: string, pick: (s: DataNodeMetricsSnapshot) => number | undefined) => {
    let last = 0;
    return new Counter({
      name, help, registers: r,
      collect() {
        const v = pick(snap());
        if (v === undefined) return;
        if (v < last) {
          this.reset();
          last = 0;
        }
        if (v > last) this.inc(v - last);
        last = v;
      },
    });
  };

  new Gauge({
    name: 'minidfs_datanode_info', help: 'Always 1; labels say which node this is', labelNames: ['node'], registers: r,
    collect() {
      this.reset();
      this.set({ node: snap().nodeId }, 1);
    },
  });
  gauge('minidfs_datanode_registered', '1 while registered with the NameNode', (s) => (s.registered === undefined ? undefined : s.registered ? 1 : 0));
  new Gauge({
    name: 'minidfs_datanode_namenode_connected', help: '1 while registered with this NameNode and its heartbeat stream is open', labelNames: ['namenode'], registers: r,
    collect() {
      this.reset();
      for (const n of snap().namenodes ?? []) this.set({ namenode: n.address }, n.connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'minidfs_datanode_namenode_refused', help: '1 if this NameNode refused this node for good (another cluster id, wrong secret, id in use)', labelNames: ['namenode'], registers: r,
    collect() {
      this.reset();
      for (const n of snap().namenodes ?? []) this.set({ namenode: n.address }, n.refused === undefined ? 0 : 1);
    },
  });
  new Gauge({
    name: 'minidfs_datanode_namenode_epoch', help: 'Leadership epoch of the last reply from this NameNode', labelNames: ['namenode'], registers: r,
    collect() {
      this.reset();
      for (const n of snap().namenodes ?? []) if (n.epoch !== undefined) this.set({ namenode: n.address }, n.epoch);
    },
  });
  new Gauge({
    name: 'minidfs_datanode_namenode_role', help: 'Always 1; the role label is the HA role of the last reply from this NameNode, commanding says whether its commands are executed',
    labelNames: ['namenode', 'role', 'commanding'], registers: r,
    collect() {
      this.reset();
      for (const n of snap().namenodes ?? []) {
        if (n.role !== undefined) this.set({ namenode: n.address, role: n.role, commanding: n.commandsAccepted ? 'true' : 'false' }, 1);
      }
    },
  });
  new Gauge({
    name: 'minidfs_datanode_namenode_fenced_commands', help: 'Commands from this NameNode dropped by the epoch fence since start', labelNames: ['namenode'], registers: r,
    collect() {
      this.reset();
      for (const n of snap().namenodes ?? []) this.set({ namenode: n.address }, n.fencedCommands);
    },
  });
  gauge('minidfs_datanode_highest_epoch_seen', 'Highest leadership epoch of an ACTIVE NameNode seen (commands from lower epochs are dropped)', (s) => s.highestEpochSeen);
  counter('minidfs_datanode_fenced_commands_total', 'Commands dropped because they came from a standby or deposed NameNode', (s) => s.fencedCommands);
  gauge('minidfs_datanode_blocks', 'Finalized block replicas stored on this node', (s) => s.blocks);
  gauge('minidfs_datanode_used_bytes', 'Bytes of block data stored on this node', (s) => s.usedBytes);
  gauge('minidfs_datanode_capacity_bytes', 'Size of the file system holding the data directory', (s) => s.capacityBytes);
  gauge('minidfs_datanode_remaining_bytes', 'Free bytes on the file system holding the data directory', (s) => s.remainingBytes);
  gauge('minidfs_datanode_transfers_active', 'Write and read streams being served now', (s) => s.transfers.activeTransfers);
  gauge('minidfs_datanode_replications_active', 'Block copies this node is pushing to other nodes now', (s) => s.activeReplications);
  counter('minidfs_datanode_received_bytes_total', 'Block data bytes accepted from clients or upstream pipeline nodes', (s) => s.transfers.bytesReceived);
  counter('minidfs_datanode_sent_bytes_total', 'Block data bytes sent: reads, pipeline forwarding, replication pushes', (s) => s.transfers.bytesSent);
  counter('minidfs_datanode_packets_received_total', 'Write packets accepted', (s) => s.transfers.packetsReceived);
  counter('minidfs_datanode_writes_finalized_total', 'Block writes finalized', (s) => s.transfers.writesFinalized);
  counter('minidfs_datanode_writes_failed_total', 'Block writes that failed', (s) => s.transfers.writesFailed);
  counter('minidfs_datanode_reads_served_total', 'Block reads completed', (s) => s.transfers.readsServed);
  counter('minidfs_datanode_reads_failed_total', 'Block reads that failed', (s) => s.transfers.readsFailed);
  counter('minidfs_datanode_transfers_refused_total', 'Streams refused because the transfer limit was reached', (s) => s.transfers.transfersRefused);
  counter('minidfs_datanode_heartbeats_sent_total', 'Heartbeats sent to the NameNode', (s) => s.heartbeat?.beatsSent);
  counter('minidfs_datanode_heartbeat_answers_total', 'Heartbeat answers received from the NameNode', (s) => s.heartbeat?.answers);
  counter('minidfs_datanode_registrations_total', 'Successful registrations with the NameNode', (s) => s.heartbeat?.registrations);
  counter('minidfs_datanode_heartbeat_reconnects_total', 'Heartbeat stream reopenings', (s) => s.heartbeat?.reconnects);
  gauge('minidfs_datanode_heartbeat_send_lag_max_seconds', 'Largest delay between a heartbeat being due and being sent (event-loop lag)',
    (s) => (s.heartbeat ? s.heartbeat.maxSendLagMs / 1000 : undefined));
  gauge('minidfs_datanode_heartbeat_send_lag_seconds', 'Delay of the most recent heartbeat between being due and being sent',
    (s) => (s.heartbeat?.lastSendLagMs === undefined ? undefined : s.heartbeat.lastSendLagMs / 1000));
  counter('minidfs_datanode_scanner_bytes_verified_total', 'Replica bytes the block scanner read and found matching their CRCs', (s) => s.scanner?.bytesVerified);
  counter('minidfs_datanode_scanner_blocks_verified_total', 'Replicas the block scanner verified whole', (s) => s.scanner?.blocksVerified);
  counter('minidfs_datanode_scanner_bad_replicas_total', 'Corrupt replicas the block scanner found (each reported once to the NameNode)', (s) => s.scanner?.badFound);
  counter('minidfs_datanode_scanner_passes_total', 'Passes of the block scanner over every replica', (s) => s.scanner?.passesCompleted);
  gauge('minidfs_datanode_scanner_cursor_block_id', 'Last block id the block scanner finished in its current pass (0 = at the start)', (s) => s.scanner?.cursor);
  return {
    registry,
    contentType: registry.contentType,
    async render() {
      snapshot = undefined;
      try {
        return await registry.metrics();
      } finally {
        snapshot = undefined;
      }
    },
  };
}

/** Starts the server; resolves once it listens. */
export async function startDataNodeMetricsServer(options: DataNodeMetricsServerOptions): Promise<DataNodeMetricsServer> {
  const metrics = createDataNodeMetrics(options.collect);
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    metrics,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
