/**
 * The NameNode process: wires NameNodeCore (core/namenode-core.ts, every decision) to gRPC
 * (DatanodeProtocol, ClientProtocol), HTTP and the one timer that calls core.tick() every
 * tickPeriodMs (interval / 4; the core runs the planner once per interval). The Namesystem
 * adapter carries out each Ready: records persisted, then events logged (every state transition is
 * one JSON line, with the vouching peers for UNREACHABLE_FROM_NAMENODE, docs/PEER-EVIDENCE.md),
 * then commands pushed and replies sent.
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  type BlockTokenGrant, BlockTokenIssuer, type Clock, type HeartbeatResponse, type Logger, SERVER_OPTIONS, SystemClock, bindServer, createLogger,
  deriveClusterKeys, loadProtos, serverCredentials,
  Limits, NotActiveError, SafeModeError, pipelineAckTimeoutMs,
} from '@minidfs/common';
import { Etcd3 } from 'etcd3';
import type { FastifyInstance } from 'fastify';
import { DatanodeManager } from './core/datanode-manager';
import { DEFAULT_LEASE_HARD_LIMIT_MS, DEFAULT_LEASE_SOFT_LIMIT_MS } from './core/leases';
import { EventLog } from './core/event-log';
import { tickPeriodMs } from './core/namenode-core';
import { defaultPeerEvidenceConfig, validatePeerEvidenceConfig } from './core/peer-evidence';
import { PhiAccrualDetector, defaultPhiAccrualConfig } from './core/phi-accrual';
import { DatanodeProtocolService } from './adapters/datanode-protocol-service';
import { serveHeartbeatsDirectly } from './adapters/direct-heartbeat';
import { heartbeatCodec } from './adapters/heartbeat-codec';
import { DatanodeAuthenticator } from './adapters/auth';
import { clientProtocolHandlers } from './adapters/client-protocol-service';
import { createHttpServer } from './adapters/http-server';
import { NameNodeMetrics, heartbeatTimeline } from './adapters/metrics';
import { MetadataStore, type RecordStore } from './adapters/metadata-store';
import { EXIT_FENCED, Namesystem } from './adapters/namesystem';
import { EtcdEditLog, etcdKeys, ETCD_CALL_TIMEOUT_MS, type EtcdKeys } from './adapters/etcd-edit-log';
import { HaController } from './adapters/ha-controller';
import { ReplicaVerifier } from './adapters/replica-verifier';
import { type NameNodeOptions, validateNameNodeOptions } from './settings';
import { type DatanodeReportJson, toReportJson } from './adapters/report';

/** The cluster id file in the NameNode's data dir (the storage identity DataNodes remember). */
export const CLUSTER_ID_FILE = 'cluster-id';
/** The namespace store in the NameNode's data dir. */
export const METADATA_SUBDIR = 'metadata';

/** How long stop() waits for in-flight RPCs before closing connections. */
const SHUTDOWN_GRACE_MS = 2000;

export { type NameNodeOptions, defaultNameNodeOptions } from './settings';

/** This NameNode's HA view (GET /api/ha, the UI, /metrics). */
export interface HaStatusJson {
  namenodeId: string;
  role: 'ACTIVE' | 'STANDBY';
  epoch: number;
  activeAddress: string;
  elections: number;
  electionsWon: number;
  failovers: number;
  deposed: number;
  fencedCommands: number;
  fencedEdits: number;
}

export class NameNode {
  readonly manager: DatanodeManager;
  readonly events = new EventLog(Limits.maxEventsRetained);
  private readonly grpcServer = new grpc.Server(SERVER_OPTIONS);
  private readonly datanodeService: DatanodeProtocolService;
  /** DataNode authentication; undefined on an open cluster. */
  readonly auth: DatanodeAuthenticator | undefined;
  /** Signs block access tokens; undefined on an open cluster. */
  private readonly blockToken: ((grant: BlockTokenGrant) => string) | undefined;
  private http: FastifyInstance | undefined;
  private store: RecordStore | undefined;
  /** High availability (docs/HA.md): the etcd client and the election; undefined without --ha-etcd. */
  private etcd: Etcd3 | undefined;
  ha: HaController | undefined;
  /** What the DataNode protocol tells DataNodes at registration (with HA the cluster id is known once start() ran). */
  private readonly datanodeSettings: { blockSizeBytes: number; blockReportIntervalMs: number; clusterId: string };
  namesystem: Namesystem | undefined;
  private timer: NodeJS.Timeout | undefined;
  clusterId: string;
  readonly metrics: NameNodeMetrics;
  /** Checks clients' bad-replica reports by reading the replica (docs/SECURITY.md). */
  readonly replicaVerifier: ReplicaVerifier;
  /** Optional file reader for the UI's download link (the NameNode has no data path of its own). */
  openFile: ((path: string) => Readable | Promise<Readable>) | undefined;
  rpcPort = 0;
  httpPort = 0;

  constructor(
    private readonly options: NameNodeOptions,
    private readonly logger: Logger = createLogger('namenode'),
    private readonly clock: Clock = new SystemClock(),
  ) {
    validateNameNodeOptions(options);
    fs.mkdirSync(options.dataDir, { recursive: true });
    // With HA the cluster id comes from etcd, in start().
    this.clusterId = options.ha ? '' : this.localClusterId();
    this.datanodeSettings = { blockSizeBytes: options.blockSizeBytes, blockReportIntervalMs: options.blockReportIntervalMs, clusterId: this.clusterId };
    const peerEvidence = validatePeerEvidenceConfig({
      ...defaultPeerEvidenceConfig(options.liveness),
      ...(options.minPeerReporters !== undefined ? { minPeerReporters: options.minPeerReporters } : {}),
      ...(options.unreachableGraceMs !== undefined ? { unreachableGraceMs: options.unreachableGraceMs } : {}),
      ...(options.peerProbeFanout !== undefined ? { peerProbeFanout: options.peerProbeFanout } : {}),
    }, options.liveness);
    this.manager = new DatanodeManager(options.liveness, () => randomUUID(), peerEvidence);
    if (options.detector === 'phi') {
      this.manager.monitor.useDetector(new PhiAccrualDetector({ ...defaultPhiAccrualConfig(options.liveness), ...(options.phiThreshold !== undefined ? { threshold: options.phiThreshold } : {}) }));
    }
    this.metrics = new NameNodeMetrics({
      datanodeReport: () => this.datanodeReport(),
      fsck: () => this.namesystem?.fsck('/'),
      queuedReplications: () => this.namesystem?.replication.queuedCount() ?? 0,
      blockLengthBytes: (blockId) => this.namesystem?.blockMap.get(blockId)?.lengthBytes,
      events: (after) => this.events.since(after),
      commandQueues: () => this.manager.queuedCommands(),
      badReplicaReports: () => ({ ...this.replicaVerifier.outcomes, pending: this.namesystem?.pendingReplicaVerifications ?? 0 }),
      ...(options.ha ? { ha: () => this.haStatus() } : {}),
    }, options.liveness);
    const keys = options.secret ? deriveClusterKeys(options.secret) : undefined;
    this.auth = keys && new DatanodeAuthenticator({ keys, logger: this.logger, currentRegistrationId: (id) => this.manager.get(id)?.registrationId });
    const issuer = keys && new BlockTokenIssuer(keys.blockToken);
    this.blockToken = issuer && ((grant) => issuer.issue(grant));
    this.replicaVerifier = new ReplicaVerifier({ namesystem: () => this.fs(), logger: this.logger, tls: options.tls, blockToken: this.blockToken });
    this.datanodeService = new DatanodeProtocolService({
      namesystem: () => this.fs(),
      clock: this.clock,
      logger: this.logger,
      settings: this.datanodeSettings,
      ha: options.ha ? {
        role: () => this.ha?.roleName ?? 'STANDBY', epoch: () => this.ha?.epoch ?? 0, mayAct: () => this.ha?.mayAct() ?? false,
        fenced: (n) => { if (this.ha) this.ha.counts.fencedCommands += n; },
      } : undefined,
      onHeartbeat: (nodeId, nowMs, accepted) => this.metrics.onHeartbeat(nodeId, nowMs, accepted),
      onHeartbeatHandled: (ms) => this.metrics.onHeartbeatHandled(ms),
      streamNodeId: this.auth?.streamNodeId, blockToken: this.blockToken,
    });
  }

  /** The cluster id of a single NameNode: from its data dir (created with the namespace store). */
  private localClusterId(): string {
    const metadataExisted = fs.existsSync(path.join(this.options.dataDir, METADATA_SUBDIR));
    const clusterIdFile = path.join(this.options.dataDir, CLUSTER_ID_FILE);
    const clusterIdExisted = fs.existsSync(clusterIdFile);
    if (clusterIdExisted && !metadataExisted) {
      // The namespace is gone but the identity is not: DataNodes would accept this NameNode, and
      // with an empty namespace (no safe mode) every block they report would be deleted.
      throw new Error(`${this.options.dataDir} has a cluster id but no ${METADATA_SUBDIR}/: the namespace is missing. Restore it; `
        + `to start a new, empty cluster on purpose, remove ${clusterIdFile} too (the old cluster's DataNodes will then refuse this NameNode)`);
    }
    return loadOrCreate(clusterIdFile, () => `CID-${randomUUID()}`);
  }

  private fs(): Namesystem {
    if (!this.namesystem) throw new SafeModeError('NameNode is starting');
    return this.namesystem;
  }

  async start(): Promise<void> {
    const ha = this.options.ha;
    let editLog: EtcdEditLog | undefined;
    let keys: EtcdKeys | undefined;
    if (ha) {
      this.etcd = new Etcd3({ hosts: ha.etcdEndpoints.map((e) => `http://${e}`), dialTimeout: ETCD_CALL_TIMEOUT_MS });
      keys = etcdKeys(ha.prefix);
      this.clusterId = await this.haClusterId(this.etcd, keys);
      this.datanodeSettings.clusterId = this.clusterId;
      this.store = editLog = new EtcdEditLog(this.etcd, keys, this.logger);
    } else {
      this.store = await MetadataStore.open(path.join(this.options.dataDir, METADATA_SUBDIR));
    }
    this.namesystem = await Namesystem.open(this.store, this.manager, {
      defaultReplication: this.options.replication, defaultBlockSizeBytes: this.options.blockSizeBytes,
      minReplication: this.options.minReplication, safeModeThreshold: this.options.safeModeThreshold,
      safeModeExtensionMs: this.options.safeModeExtensionMs, maintenanceMinReplicas: this.options.maintenanceMinReplicas,
      leases: {
        softLimitMs: this.options.leaseSoftLimitMs ?? DEFAULT_LEASE_SOFT_LIMIT_MS, hardLimitMs: this.options.leaseHardLimitMs ?? DEFAULT_LEASE_HARD_LIMIT_MS,
      },
    }, { events: this.events, logger: this.logger, push: (p) => this.datanodeService.push(p) }, { standby: ha !== undefined });
    if (editLog) await this.tailEdits(editLog);
    const protos = loadProtos();
    const raw = this.datanodeService.handlers();
    const datanodeHandlers = this.auth ? this.auth.wrap(raw) : raw;
    this.grpcServer.addService(protos.DatanodeProtocol.service, datanodeHandlers);
    this.grpcServer.addService(protos.ClientProtocol.service, clientProtocolHandlers({
      namesystem: this.namesystem, datanodeReport: () => this.datanodeReport(), onCall: (m, ms, ok) => this.metrics.onClientCall(m, ms, ok),
      blockToken: this.blockToken, replicaVerifier: this.replicaVerifier, nowMs: () => this.clock.nowMs(),
      pipelineAckTimeoutMs: pipelineAckTimeoutMs(this.options.liveness),
      ha: ha && {
        requireActive: (method) => this.haController().requireActive(method),
        status: () => this.haController().status(),
        failover: () => this.haController().failover(() => this.store!.apply([])),
      },
    }));
    this.rpcPort = await bindServer(this.grpcServer, `${this.options.bindHost}:${this.options.rpcPort}`, { credentials: serverCredentials(this.options.tls) });
    // Heartbeat streams skip grpc-js's per-message machinery (same wire, same handler): adapters/direct-heartbeat.ts.
    const heartbeat = protos.DatanodeProtocol.service.Heartbeat;
    serveHeartbeatsDirectly(this.grpcServer, (call) => datanodeHandlers.Heartbeat(call as unknown as Parameters<typeof datanodeHandlers.Heartbeat>[0]), heartbeatCodec({
      decode: (bytes) => heartbeat.requestDeserialize(bytes), encode: (message) => heartbeat.responseSerialize(message as HeartbeatResponse),
    }), Limits.maxGrpcMessageBytes);
    this.http = createHttpServer({
      datanodeReport: () => this.datanodeReport(), events: (after) => this.events.since(after), fsck: (p) => this.fs().fsck(p),
      metrics: this.metrics, liveness: this.options.liveness, clusterId: this.clusterId,
      heartbeats: () => heartbeatTimeline(this.metrics.heartbeats, this.options.liveness.heartbeatIntervalMs, this.clock.nowMs(), this.manager.all().map((n) => n.id)),
      listStatus: (p) => this.fs().listStatus(p), listStatusPage: (p, startAfter) => this.fs().listStatusPage(p, startAfter), getFileInfo: (p) => this.fs().getFileInfo(p),
      fileReader: () => this.openFile, tls: this.options.tls, ha: () => this.haStatus(),
    });
    await this.http.listen({ host: this.options.bindHost, port: this.options.httpPort });
    const address = this.http.server.address();
    this.httpPort = typeof address === 'object' && address ? address.port : this.options.httpPort;
    // The one timer; the core owns the rhythm (liveness every tick, the planner once per interval).
    const ns = this.namesystem;
    const periodMs = tickPeriodMs(this.options.liveness);
    let lastTickMs = this.clock.nowMs();
    void ns.handle(ns.core.tick(lastTickMs));
    this.timer = setInterval(() => {
      const nowMs = this.clock.nowMs();
      // How late this timer fired: about how long input waited in this process (backlog guard, core/heartbeat-monitor.ts).
      const lagMs = nowMs - lastTickMs - periodMs;
      lastTickMs = nowMs;
      if (ns.core.manager.monitor.noteLag(nowMs, lagMs)) {
        this.logger.warn('namenode behind its input: DEAD on silence held', { event: 'namenode-behind', lagMs: Math.round(lagMs) });
      }
      void ns.handle(ns.core.tick(nowMs));
      this.metrics.drainEvents();
    }, periodMs);
    if (ha && editLog && keys) await this.startElection(ha, editLog, keys);
    this.logger.info('namenode started', {
      event: 'started', rpcPort: this.rpcPort, httpPort: this.httpPort, clusterId: this.clusterId, ...this.options.liveness,
      authentication: this.auth ? 'cluster-secret' : 'none', tls: this.options.tls ? (this.options.tls.ca ? 'mutual' : 'server') : 'off',
      detector: this.manager.monitor.detectorName, ...(this.options.detector === 'phi' ? { phiThreshold: this.options.phiThreshold ?? defaultPhiAccrualConfig(this.options.liveness).threshold } : {}),
      minPeerReporters: this.manager.peers.config.minPeerReporters, unreachableGraceMs: this.manager.peers.config.unreachableGraceMs,
      peerProbeFanout: this.manager.peers.config.peerProbeFanout,
      ...(ha ? { ha: { id: ha.id, etcd: ha.etcdEndpoints, prefix: ha.prefix, leaseTtlMs: ha.leaseTtlMs, role: this.ha?.roleName } } : {}),
    });
  }

  /** Role, epoch and counters for /metrics, /api/ha and the UI; undefined without HA. */
  haStatus(): HaStatusJson | undefined {
    if (!this.options.ha) return undefined;
    const st = this.ha?.status();
    const counts = this.ha?.counts ?? { elections: 0, electionsWon: 0, failovers: 0, deposed: 0, fencedCommands: 0, fencedEdits: 0 };
    return {
      namenodeId: this.options.ha.id, role: st?.role ?? 'STANDBY', epoch: st?.epoch ?? 0, activeAddress: st?.activeAddress ?? '',
      ...counts, fencedEdits: this.store instanceof EtcdEditLog ? this.store.fencedEdits : 0,
    };
  }

  private haController(): HaController {
    if (!this.ha) throw new NotActiveError('this NameNode is starting');
    return this.ha;
  }

  /**
   * The cluster id of an HA group: created once in etcd (from this data dir's id if it has one),
   * then the same for every member. A data dir that belongs to another cluster is refused, and so
   * is an etcd without the id while this data dir has one (etcd's data was lost: an empty
   * namespace would make DataNodes delete every block).
   */
  private async haClusterId(etcd: Etcd3, keys: EtcdKeys): Promise<string> {
    const file = path.join(this.options.dataDir, CLUSTER_ID_FILE);
    const local = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
    const stored = await etcd.get(keys.clusterId).options({ deadline: Date.now() + ETCD_CALL_TIMEOUT_MS }).string();
    if (stored === null && local) {
      throw new Error(`${file} names cluster ${local}, but etcd has no cluster at ${keys.clusterId}: etcd's data is missing. Restore it; `
        + `to start a new, empty cluster on purpose, remove ${file} (the old cluster's DataNodes will then refuse this NameNode)`);
    }
    let id = stored;
    if (id === null) {
      const fresh = `CID-${randomUUID()}`;
      const res = await etcd.if(keys.clusterId, 'Create', '==', 0).then(etcd.put(keys.clusterId).value(fresh)).else(etcd.get(keys.clusterId))
        .options({ deadline: Date.now() + ETCD_CALL_TIMEOUT_MS }).commit();
      id = res.succeeded ? fresh : res.responses[0]!.response_range!.kvs[0]!.value.toString();
    }
    if (local && local !== id) throw new Error(`${file} names cluster ${local}, but the HA group in etcd is cluster ${id}: wrong --data-dir or --ha-prefix`);
    if (!local) loadOrCreate(file, () => id!);
    return id;
  }

  /** Standby: applies every edit the active commits (etcd watch), in order. A watch that cannot go on restarts the process. */
  private async tailEdits(editLog: EtcdEditLog): Promise<void> {
    await editLog.tail((edit) => {
      const ns = this.namesystem!;
      if (ns.core.haRole !== 'standby') return; // a late event after promotion stopped the tail
      void ns.handle(ns.core.applyEdits(edit.records, this.clock.nowMs()));
      for (const w of this.tailWaiters.splice(0)) w();
    }, (err) => {
      this.logger.error('edit log watch failed; restarting to reload', { event: 'ha-tail-failed', error: err.message });
      process.exit(EXIT_FENCED);
    });
  }

  private readonly tailWaiters: Array<() => void> = [];

  private async startElection(ha: NonNullable<NameNodeOptions['ha']>, editLog: EtcdEditLog, keys: EtcdKeys): Promise<void> {
    const address = ha.address ?? `${this.options.bindHost}:${this.rpcPort}`;
    this.ha = new HaController(this.etcd!, keys, { id: ha.id, address, leaseTtlMs: ha.leaseTtlMs }, this.logger, {
      onElected: async (epoch) => {
        // Every edit of the previous active is applied before this one writes or orders anything.
        const last = await editLog.lastEditRevision();
        const deadline = performance.now() + ETCD_CALL_TIMEOUT_MS;
        while (editLog.revision < last) {
          if (performance.now() > deadline) throw new Error(`edit log not tailed to revision ${last} (at ${editLog.revision})`);
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 50);
            this.tailWaiters.push(() => { clearTimeout(t); resolve(); });
          });
        }
        await editLog.stopTailing();
        editLog.fence(epoch);
        const ns = this.namesystem!;
        await ns.handle(ns.core.promote(epoch, this.clock.nowMs()));
      },
      onDeposed: (reason) => {
        this.logger.error('exiting to restart as a standby', { event: 'ha-fenced-exit', reason, exitCode: EXIT_FENCED });
        process.exit(EXIT_FENCED);
      },
    });
    await this.ha.start();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ha?.stop();
    this.datanodeService.closeAll();
    // Graceful for a moment, then forced: a peer whose connection died silently must not hold the exit.
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => { this.grpcServer.forceShutdown(); resolve(); }, SHUTDOWN_GRACE_MS);
      this.grpcServer.tryShutdown(() => { clearTimeout(force); resolve(); });
    });
    await this.http?.close();
    await this.store?.close();
    this.etcd?.close();
    this.logger.info('namenode stopped', { event: 'stopped' });
  }

  datanodeReport(): DatanodeReportJson {
    const ns = this.namesystem;
    const nowMs = this.clock.nowMs();
    const entries = this.manager.report(nowMs).map((e) => ({
      ...e, blocks: ns ? ns.blockMap.nodeBlockCount(e.id) : 0, ...(ns ? ns.adminView(e.id, nowMs) : { adminState: 'NORMAL' as const }),
    }));
    const safeMode = ns?.safeModeStatus(this.clock.nowMs());
    return toReportJson(entries, safeMode?.on ?? true, safeMode);
  }
}

/**
 * The storage identity (the cluster id): read, or created once, durably (temp file, fsync, rename,
 * directory fsync), so a crash never leaves an empty id. DataNodes remember it and refuse a
 * NameNode with another one (docs/ARCHITECTURE.md, "Storage identity").
 */
function loadOrCreate(file: string, create: () => string): string {
  let existing: string | undefined;
  try {
    existing = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (existing !== undefined) {
    if (!existing) throw new Error(`${file} is empty: restore it, or remove it to start a new cluster (DataNodes of the old one will refuse this NameNode)`);
    return existing;
  }
  const value = create();
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, value + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
  return value;
}
