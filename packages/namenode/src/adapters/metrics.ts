/**
 * NameNode metrics (prom-client) and the per-node heartbeat history behind the UI's timeline.
 *
 * Three kinds of input, none of which reaches into the core:
 *  - hooks the adapters call: `onHeartbeat` (DatanodeProtocol, every beat with its receive time on
 *    the NameNode's monotonic clock) and `onClientCall` (ClientProtocol, every RPC);
 *  - the EventLog, drained with a cursor (`drainEvents`, called from the NameNode's tick and before
 *    every scrape): transitions and replication steps become counters and histograms there, so
 *    the namesystem needs no metrics code;
 *  - snapshots read at scrape time (`collect`): nodes by state, fsck counts, safe mode.
 *
 * Durations are exported in seconds and sizes in bytes (Prometheus conventions); histogram buckets
 * are multiples of the configured heartbeat interval, so they fit a 100 ms test profile as well as
 * a 3 s production one. Every buffer here has a named bound.
 */
import { type LivenessConfig, Limits } from '@minidfs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ClusterEvent } from '../core/event-log';
import { ADMIN_STATES } from '../core/admin-states';
import type { FsckReport } from './namesystem';
import type { DatanodeReportJson } from './report';

/** Heartbeat receive times kept per DataNode for the UI timeline (oldest fall off). */
export const HEARTBEAT_HISTORY_PER_NODE = 60;
/** Replications whose scheduling time is remembered to time them (oldest forgotten past this). */
export const MAX_TIMED_REPLICATIONS = 10_000;
/** One heartbeat in this many has its handler time measured and observed (the DatanodeProtocol adapter samples; per-beat timing and observe() cost a few % of the NameNode's heartbeat CPU). */
export const HEARTBEAT_HANDLING_SAMPLE_EVERY = 16;
/** Client RPC method names accepted as a label value (anything else is counted as "other"). */
export const MAX_RPC_METHOD_LABELS = 64;

/** Bounded ring of recent heartbeat receive times per node (NameNode monotonic ms). */
export class HeartbeatHistory {
  private readonly rings = new Map<string, { times: Float64Array; next: number; count: number }>();

  constructor(readonly capacityPerNode: number = HEARTBEAT_HISTORY_PER_NODE, readonly maxNodes: number = Limits.maxDatanodes) {
    if (!(capacityPerNode >= 2)) throw new RangeError(`HeartbeatHistory capacity must be >= 2, got ${capacityPerNode}`);
  }

  /** Records a beat; returns ms since this node's previous recorded beat (undefined for its first). */
  record(nodeId: string, nowMs: number): number | undefined {
    let ring = this.rings.get(nodeId);
    if (!ring) {
      if (this.rings.size >= this.maxNodes) return undefined;
      ring = { times: new Float64Array(this.capacityPerNode), next: 0, count: 0 };
      this.rings.set(nodeId, ring);
    }
    const previous = ring.count > 0 ? ring.times[(ring.next + this.capacityPerNode - 1) % this.capacityPerNode] : undefined;
    ring.times[ring.next] = nowMs;
    ring.next = (ring.next + 1) % this.capacityPerNode;
    ring.count = Math.min(ring.count + 1, this.capacityPerNode);
    return previous === undefined ? undefined : Math.max(0, nowMs - previous);
  }

  /** Receive times of the node's recent beats, oldest first. */
  times(nodeId: string): number[] {
    const ring = this.rings.get(nodeId);
    if (!ring) return [];
    const out: number[] = [];
    for (let i = ring.count; i >= 1; i--) out.push(ring.times[(ring.next + this.capacityPerNode - i) % this.capacityPerNode]);
    return out;
  }

  nodeIds(): string[] {
    return [...this.rings.keys()];
  }
}

/** `GET /api/heartbeats`: per node, how long ago each recent beat arrived (ms, newest first). */
export interface HeartbeatTimelineJson {
  heartbeatIntervalMs: number;
  beatsPerNode: number;
  nodes: Array<{ id: string; msAgo: number[] }>;
}

export function heartbeatTimeline(history: HeartbeatHistory, heartbeatIntervalMs: number, nowMs: number, nodeIds = history.nodeIds()): HeartbeatTimelineJson {
  return {
    heartbeatIntervalMs,
    beatsPerNode: history.capacityPerNode,
    nodes: nodeIds.map((id) => ({ id, msAgo: history.times(id).reverse().map((t) => Math.max(0, Math.round(nowMs - t))) })),
  };
}

export interface NameNodeMetricsSources {
  datanodeReport(): DatanodeReportJson;
  /** fsck of '/', or undefined while the namesystem is starting. */
  fsck(): FsckReport | undefined;
  /** Replications queued but not yet scheduled. */
  queuedReplications(): number;
  /** Length of a block, for replication byte counts. */
  blockLengthBytes(blockId: number): number | undefined;
  events(afterSeq: number): ClusterEvent[];
  /** DataNodes with commands waiting and the commands waiting in all. */
  commandQueues?(): { nodes: number; commands: number };
  /** Client bad-replica reports by outcome since start, and the checks pending now. */
  badReplicaReports?(): Record<'refused' | 'joined' | 'corrupt' | 'healthy' | 'inconclusive' | 'pending', number>;
  /** HA role and counters (docs/HA.md); absent without HA. */
  ha?(): { role: 'ACTIVE' | 'STANDBY'; epoch: number; electionsWon: number; elections: number; failovers: number; fencedCommands: number; fencedEdits: number } | undefined;
}

const STATES = ['LIVE', 'STALE', 'DEAD', 'UNREACHABLE_FROM_NAMENODE'] as const;

export class NameNodeMetrics {
  readonly registry = new Registry();
  readonly heartbeats = new HeartbeatHistory();
  private eventCursor = 0;
  /** blockId -> when its copy was scheduled and how many targets have not reported it yet. */
  private readonly scheduled = new Map<number, { atMs: number; remaining: number }>();
  /** Report and fsck read once per scrape and shared by every gauge's collect(). */
  private scrape: { report: DatanodeReportJson; fsck: FsckReport | undefined } | undefined;
  private readonly rpcMethods = new Set<string>();

  /** Plain numbers on the heartbeat path, copied into the counter at scrape time (no label hashing per beat). */
  private heartbeatsAccepted = 0;
  private heartbeatsIgnored = 0;
  private readonly heartbeatGap: Histogram;
  private readonly heartbeatHandling: Histogram;
  private readonly transitions: Counter<'from' | 'to' | 'reason'>;
  private readonly detectionLatency: Histogram<'reason'>;
  private readonly replicationEvents: Counter<'type'>;
  private readonly replicationBytes: Counter;
  private readonly replicationDuration: Histogram;
  private readonly clusterEvents: Counter<'type'>;
  private readonly eventsMissed: Counter;
  private readonly rpcCalls: Counter<'method' | 'result'>;
  private readonly rpcDuration: Histogram<'method'>;

  constructor(private readonly sources: NameNodeMetricsSources, liveness: LivenessConfig) {
    const r = [this.registry];
    const beatS = liveness.heartbeatIntervalMs / 1000;
    const times = (ks: number[]) => ks.map((k) => Number((k * beatS).toFixed(6)));
    collectDefaultMetrics({ register: this.registry });
    const report = () => (this.scrape ??= { report: sources.datanodeReport(), fsck: sources.fsck() }).report;
    const fsck = () => (this.scrape ??= { report: sources.datanodeReport(), fsck: sources.fsck() }).fsck;

    new Gauge({
      name: 'minidfs_namenode_datanodes', help: 'DataNodes known to the NameNode, by liveness state', labelNames: ['state'], registers: r,
      collect() {
        const rep = report();
        this.set({ state: 'LIVE' }, rep.live);
        this.set({ state: 'STALE' }, rep.stale);
        this.set({ state: 'DEAD' }, rep.dead);
        this.set({ state: 'UNREACHABLE_FROM_NAMENODE' }, rep.unreachable ?? 0);
      },
    });
    new Gauge({
      name: 'minidfs_namenode_datanodes_admin', help: 'DataNodes known to the NameNode, by admin state (decommission, maintenance)',
      labelNames: ['admin_state'], registers: r,
      collect() {
        const rep = report();
        for (const s of ADMIN_STATES) this.set({ admin_state: s }, rep.datanodes.filter((d) => (d.adminState ?? 'NORMAL') === s).length);
      },
    });
    new Gauge({
      name: 'minidfs_namenode_datanode_missed_beats', help: 'Heartbeats each DataNode has missed right now', labelNames: ['node'], registers: r,
      collect() {
        this.reset();
        for (const d of report().datanodes) this.set({ node: d.id }, d.missedBeats);
      },
    });
    new Gauge({
      name: 'minidfs_namenode_datanode_last_heartbeat_age_seconds', help: 'Seconds since each DataNode\'s last heartbeat was received',
      labelNames: ['node'], registers: r,
      collect() {
        this.reset();
        for (const d of report().datanodes) this.set({ node: d.id }, d.lastHeartbeatMsAgo / 1000);
      },
    });
    new Gauge({
      name: 'minidfs_namenode_datanode_state', help: '1 for the state each DataNode is in, 0 for the others',
      labelNames: ['node', 'state'], registers: r,
      collect() {
        this.reset();
        for (const d of report().datanodes) for (const s of STATES) this.set({ node: d.id, state: s }, d.state === s ? 1 : 0);
      },
    });
    const fsckGauge = (name: string, help: string, pick: (f: FsckReport) => number) => new Gauge({
      name, help, registers: r,
      collect() {
        const f = fsck();
        if (f) this.set(pick(f));
      },
    });
    fsckGauge('minidfs_namenode_files', 'Files in the namespace', (f) => f.files);
    fsckGauge('minidfs_namenode_blocks', 'Blocks of complete files', (f) => f.blocks);
    fsckGauge('minidfs_namenode_blocks_under_replicated', 'Blocks with fewer live replicas than their replication factor (but at least one)', (f) => f.underReplicated);
    fsckGauge('minidfs_namenode_blocks_over_replicated', 'Blocks with more live replicas than their replication factor', (f) => f.overReplicated);
    fsckGauge('minidfs_namenode_blocks_missing', 'Blocks with no live replica', (f) => f.missing);
    fsckGauge('minidfs_namenode_blocks_corrupt', 'Blocks with at least one corrupt replica', (f) => f.corrupt);
    fsckGauge('minidfs_namenode_blocks_mis_replicated',
      'Blocks whose live replicas are all on one rack while two or more racks have a LIVE DataNode (replication >= 2)', (f) => f.misReplicated);
    fsckGauge('minidfs_namenode_blocks_waiting_on_unreachable',
      'Under-replicated blocks whose missing replicas sit on UNREACHABLE_FROM_NAMENODE DataNodes (not repaired during the grace)', (f) => f.waitingOnUnreachable);
    fsckGauge('minidfs_namenode_replications_pending', 'Blocks with a replication scheduled and not yet confirmed', (f) => f.pendingReplications);
    new Gauge({
      name: 'minidfs_namenode_replications_queued', help: 'Blocks queued for replication, not yet scheduled', registers: r,
      collect() { this.set(sources.queuedReplications()); },
    });
    new Gauge({
      name: 'minidfs_namenode_datanode_command_queue', help: 'Commands waiting for DataNodes (what=commands) and DataNodes with commands waiting (what=nodes)',
      labelNames: ['what'], registers: r,
      collect() {
        const q = sources.commandQueues?.() ?? { nodes: 0, commands: 0 };
        this.set({ what: 'commands' }, q.commands);
        this.set({ what: 'nodes' }, q.nodes);
      },
    });
    new Gauge({
      name: 'minidfs_namenode_bad_replica_reports', labelNames: ['outcome'], registers: r,
      help: 'Client bad-replica reports since start by outcome (refused, joined = a check of that replica was running, corrupt/healthy/inconclusive = the NameNode\'s read) and pending = checks running now',
      collect() {
        const c = sources.badReplicaReports?.();
        if (!c) return;
        for (const [outcome, n] of Object.entries(c)) this.set({ outcome }, n);
      },
    });
    new Gauge({
      name: 'minidfs_namenode_safe_mode', help: '1 while the NameNode is in safe mode', registers: r,
      collect() { this.set(report().safeMode ? 1 : 0); },
    });
    new Gauge({
      name: 'minidfs_namenode_liveness_config', help: 'Liveness settings the NameNode judges by (heartbeat interval in seconds, thresholds in beats)',
      labelNames: ['setting'], registers: r,
      collect() {
        this.set({ setting: 'heartbeat_interval_seconds' }, beatS);
        this.set({ setting: 'stale_after_missed' }, liveness.staleAfterMissed);
        this.set({ setting: 'dead_after_missed' }, liveness.deadAfterMissed);
      },
    });

    if (sources.ha) {
      const ha = sources.ha;
      new Gauge({
        name: 'minidfs_namenode_ha_active', help: '1 while this NameNode is the HA active, else 0', registers: r,
        collect() { this.set(ha()?.role === 'ACTIVE' ? 1 : 0); },
      });
      new Gauge({
        name: 'minidfs_namenode_ha_epoch', help: 'Leadership epoch this NameNode holds (active) or last saw (standby)', registers: r,
        collect() { this.set(ha()?.epoch ?? 0); },
      });
      new Counter({
        name: 'minidfs_namenode_ha_elections_total', help: 'Campaigns for the leadership by result', labelNames: ['result'], registers: r,
        collect() {
          const h = ha();
          this.reset();
          if (h) { this.inc({ result: 'won' }, h.electionsWon); this.inc({ result: 'lost' }, h.elections - h.electionsWon); }
        },
      });
      new Counter({
        name: 'minidfs_namenode_ha_failovers_total', help: 'Leaderships this NameNode took over from another active', registers: r,
        collect() { this.reset(); this.inc(ha()?.failovers ?? 0); },
      });
      new Counter({
        name: 'minidfs_namenode_ha_fenced_total', help: 'What a deposed active tried and was stopped from: commands withheld, edits refused by etcd',
        labelNames: ['kind'], registers: r,
        collect() {
          const h = ha();
          this.reset();
          if (h) { this.inc({ kind: 'commands' }, h.fencedCommands); this.inc({ kind: 'edits' }, h.fencedEdits); }
        },
      });
    }

    const counts = () => ({ accepted: this.heartbeatsAccepted, ignored: this.heartbeatsIgnored });
    new Counter({
      name: 'minidfs_namenode_heartbeats_received_total', help: 'Heartbeats received (accepted = counted for liveness; ignored = duplicate, unknown or dead registration)',
      labelNames: ['result'], registers: r,
      collect() {
        this.reset();
        const c = counts();
        this.inc({ result: 'accepted' }, c.accepted);
        this.inc({ result: 'ignored' }, c.ignored);
      },
    });
    this.heartbeatGap = new Histogram({
      name: 'minidfs_namenode_heartbeat_gap_seconds', help: 'Time between two consecutive accepted heartbeats of the same DataNode',
      buckets: times([0.5, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 5, 10, 30]), registers: r,
    });
    this.heartbeatHandling = new Histogram({
      name: 'minidfs_namenode_heartbeat_handling_seconds',
      help: `Time the NameNode spent on one heartbeat in its handler (liveness update, commands, answer written), not counting time queued before it ran; one beat in ${HEARTBEAT_HANDLING_SAMPLE_EVERY} is observed`,
      buckets: [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.1], registers: r,
    });
    this.transitions = new Counter({
      name: 'minidfs_namenode_liveness_transitions_total', help: 'DataNode state transitions (reason: missed-beats, stream-closed, goodbye, heartbeat, registered, peers-hear-it, peers-lost-it, unreachable-grace-expired)',
      labelNames: ['from', 'to', 'reason'], registers: r,
    });
    this.detectionLatency = new Histogram({
      name: 'minidfs_namenode_dead_detection_latency_seconds', help: 'Time from a DataNode\'s last heartbeat to the NameNode declaring it DEAD',
      labelNames: ['reason'], buckets: times([0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 60]), registers: r,
    });
    this.replicationEvents = new Counter({
      name: 'minidfs_namenode_replication_events_total', help: 'Replication steps: queued, scheduled, copied, timed-out, invalidated',
      labelNames: ['type'], registers: r,
    });
    this.replicationBytes = new Counter({
      name: 'minidfs_namenode_replication_bytes_total', help: 'Bytes of block replicas copied by re-replication (confirmed by the target)', registers: r,
    });
    this.replicationDuration = new Histogram({
      name: 'minidfs_namenode_replication_duration_seconds', help: 'Time from scheduling a block copy to the target reporting it received',
      buckets: times([0.25, 0.5, 1, 2, 5, 10, 30, 60, 300]), registers: r,
    });
    this.clusterEvents = new Counter({
      name: 'minidfs_namenode_cluster_events_total', help: 'Events appended to the cluster event log, by type', labelNames: ['type'], registers: r,
    });
    this.eventsMissed = new Counter({
      name: 'minidfs_namenode_metrics_events_missed_total', help: 'Events that fell off the bounded event log before metrics read them', registers: r,
    });
    this.rpcCalls = new Counter({
      name: 'minidfs_namenode_client_rpc_total', help: 'ClientProtocol calls, by method and result', labelNames: ['method', 'result'], registers: r,
    });
    this.rpcDuration = new Histogram({
      name: 'minidfs_namenode_client_rpc_duration_seconds', help: 'ClientProtocol call latency (handler time on the NameNode)',
      labelNames: ['method'], buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: r,
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** DatanodeProtocol hook: one heartbeat received at `nowMs` (NameNode monotonic clock). */
  onHeartbeat(nodeId: string, nowMs: number, accepted: boolean): void {
    if (!accepted) {
      this.heartbeatsIgnored += 1;
      return;
    }
    this.heartbeatsAccepted += 1;
    const gapMs = this.heartbeats.record(nodeId, nowMs);
    if (gapMs !== undefined) this.heartbeatGap.observe(gapMs / 1000);
  }

  /** DatanodeProtocol hook: handler time of one heartbeat, ms. */
  onHeartbeatHandled(ms: number): void {
    this.heartbeatHandling.observe(ms / 1000);
  }

  /** ClientProtocol hook. */
  onClientCall(method: string, ms: number, ok: boolean): void {
    if (!this.rpcMethods.has(method)) {
      if (this.rpcMethods.size >= MAX_RPC_METHOD_LABELS) method = 'other';
      else this.rpcMethods.add(method);
    }
    this.rpcCalls.inc({ method, result: ok ? 'ok' : 'error' });
    this.rpcDuration.observe({ method }, ms / 1000);
  }

  /** Reads events appended since the last call into the counters; cheap, call it often. */
  drainEvents(): void {
    const events = this.sources.events(this.eventCursor);
    if (!events.length) return;
    if (this.eventCursor > 0 && events[0].seq > this.eventCursor + 1) this.eventsMissed.inc(events[0].seq - this.eventCursor - 1);
    for (const e of events) this.observeEvent(e);
    this.eventCursor = events[events.length - 1].seq;
  }

  async render(): Promise<string> {
    this.drainEvents();
    this.scrape = undefined;
    try {
      return await this.registry.metrics();
    } finally {
      this.scrape = undefined;
    }
  }

  private observeEvent(e: ClusterEvent): void {
    this.clusterEvents.inc({ type: e.type });
    if (e.type === 'transition') {
      const from = String(e.from), to = String(e.to), reason = String(e.reason);
      this.transitions.inc({ from, to, reason });
      if (to === 'DEAD' && typeof e.msSinceLastHeartbeat === 'number') this.detectionLatency.observe({ reason }, e.msSinceLastHeartbeat / 1000);
      return;
    }
    if (!e.type.startsWith('replication-')) return;
    const type = e.type.slice('replication-'.length);
    this.replicationEvents.inc({ type });
    const blockId = typeof e.blockId === 'number' ? e.blockId : undefined;
    if (blockId === undefined) return;
    if (type === 'scheduled') {
      const targets = Array.isArray(e.targetIds) ? e.targetIds.length : 1;
      this.scheduled.delete(blockId);
      this.scheduled.set(blockId, { atMs: e.atMs, remaining: Math.max(1, targets) });
      if (this.scheduled.size > MAX_TIMED_REPLICATIONS) this.scheduled.delete(this.scheduled.keys().next().value as number);
    } else if (type === 'copied') {
      const started = this.scheduled.get(blockId);
      if (started) {
        this.replicationDuration.observe(Math.max(0, e.atMs - started.atMs) / 1000);
        if (--started.remaining <= 0) this.scheduled.delete(blockId);
      }
      this.replicationBytes.inc(this.sources.blockLengthBytes(blockId) ?? 0);
    } else if (type === 'timed-out') {
      this.scheduled.delete(blockId);
    }
  }
}
