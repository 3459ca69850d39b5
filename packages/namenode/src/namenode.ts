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
  type BlockTokenGrant, BlockTokenIssuer, type Clock, type Logger, SERVER_OPTIONS, SystemClock, bindServer, createLogger,
  deriveClusterKeys, loadProtos, serverCredentials,
  Limits, SafeModeError, pipelineAckTimeoutMs,
} from '@minidfs/common';
import type { FastifyInstance } from 'fastify';
import { DatanodeManager } from './core/datanode-manager';
import { EventLog } from './core/event-log';
import { tickPeriodMs } from './core/namenode-core';
import { defaultPeerEvidenceConfig, validatePeerEvidenceConfig } from './core/peer-evidence';
import { PhiAccrualDetector, defaultPhiAccrualConfig } from './core/phi-accrual';
import { DatanodeProtocolService } from './adapters/datanode-protocol-service';
import { DatanodeAuthenticator } from './adapters/auth';
import { clientProtocolHandlers } from './adapters/client-protocol-service';
import { createHttpServer } from './adapters/http-server';
import { NameNodeMetrics, heartbeatTimeline } from './adapters/metrics';
import { MetadataStore } from './adapters/metadata-store';
import { Namesystem } from './adapters/namesystem';
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
  private store: MetadataStore | undefined;
  namesystem: Namesystem | undefined;
  private timer: NodeJS.Timeout | undefined;
  readonly clusterId: string;
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
    const metadataExisted = fs.existsSync(path.join(options.dataDir, METADATA_SUBDIR));
    const clusterIdFile = path.join(options.dataDir, CLUSTER_ID_FILE);
    const clusterIdExisted = fs.existsSync(clusterIdFile);
    if (clusterIdExisted && !metadataExisted) {
      // The namespace is gone but the identity is not: DataNodes would accept this NameNode, and
      // with an empty namespace (no safe mode) every block they report would be deleted.
      throw new Error(`${options.dataDir} has a cluster id but no ${METADATA_SUBDIR}/: the namespace is missing. Restore it; `
        + `to start a new, empty cluster on purpose, remove ${clusterIdFile} too (the old cluster's DataNodes will then refuse this NameNode)`);
    }
    this.clusterId = loadOrCreate(clusterIdFile, () => `CID-${randomUUID()}`);
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
      settings: { blockSizeBytes: options.blockSizeBytes, blockReportIntervalMs: options.blockReportIntervalMs, clusterId: this.clusterId },
      onHeartbeat: (nodeId, nowMs, accepted) => this.metrics.onHeartbeat(nodeId, nowMs, accepted),
      onHeartbeatHandled: (ms) => this.metrics.onHeartbeatHandled(ms),
      streamNodeId: this.auth?.streamNodeId, blockToken: this.blockToken,
    });
  }

  private fs(): Namesystem {
    if (!this.namesystem) throw new SafeModeError('NameNode is starting');
    return this.namesystem;
  }

  async start(): Promise<void> {
    this.store = await MetadataStore.open(path.join(this.options.dataDir, METADATA_SUBDIR));
    this.namesystem = await Namesystem.open(this.store, this.manager, {
      defaultReplication: this.options.replication, defaultBlockSizeBytes: this.options.blockSizeBytes,
      minReplication: this.options.minReplication, safeModeThreshold: this.options.safeModeThreshold,
      safeModeExtensionMs: this.options.safeModeExtensionMs, maintenanceMinReplicas: this.options.maintenanceMinReplicas,
    }, { events: this.events, logger: this.logger, push: (p) => this.datanodeService.push(p) });
    const protos = loadProtos();
    const datanodeHandlers = this.datanodeService.handlers();
    this.grpcServer.addService(protos.DatanodeProtocol.service, this.auth ? this.auth.wrap(datanodeHandlers) : datanodeHandlers);
    this.grpcServer.addService(protos.ClientProtocol.service, clientProtocolHandlers({
      namesystem: this.namesystem, datanodeReport: () => this.datanodeReport(), onCall: (m, ms, ok) => this.metrics.onClientCall(m, ms, ok),
      blockToken: this.blockToken, replicaVerifier: this.replicaVerifier, nowMs: () => this.clock.nowMs(),
      pipelineAckTimeoutMs: pipelineAckTimeoutMs(this.options.liveness),
    }));
    this.rpcPort = await bindServer(this.grpcServer, `${this.options.bindHost}:${this.options.rpcPort}`, { credentials: serverCredentials(this.options.tls) });
    this.http = createHttpServer({
      datanodeReport: () => this.datanodeReport(), events: (after) => this.events.since(after), fsck: (p) => this.fs().fsck(p),
      metrics: this.metrics, liveness: this.options.liveness, clusterId: this.clusterId,
      heartbeats: () => heartbeatTimeline(this.metrics.heartbeats, this.options.liveness.heartbeatIntervalMs, this.clock.nowMs(), this.manager.all().map((n) => n.id)),
      listStatus: (p) => this.fs().listStatus(p), listStatusPage: (p, startAfter) => this.fs().listStatusPage(p, startAfter), getFileInfo: (p) => this.fs().getFileInfo(p),
      fileReader: () => this.openFile, tls: this.options.tls,
    });
    await this.http.listen({ host: this.options.bindHost, port: this.options.httpPort });
    const address = this.http.server.address();
    this.httpPort = typeof address === 'object' && address ? address.port : this.options.httpPort;
    // The one timer; the core owns the rhythm (liveness every tick, the planner once per interval).
    const ns = this.namesystem;
    void ns.handle(ns.core.tick(this.clock.nowMs()));
    this.timer = setInterval(() => {
      void ns.handle(ns.core.tick(this.clock.nowMs()));
      this.metrics.drainEvents();
    }, tickPeriodMs(this.options.liveness));
    this.logger.info('namenode started', {
      event: 'started', rpcPort: this.rpcPort, httpPort: this.httpPort, clusterId: this.clusterId, ...this.options.liveness,
      authentication: this.auth ? 'cluster-secret' : 'none', tls: this.options.tls ? (this.options.tls.ca ? 'mutual' : 'server') : 'off',
      detector: this.manager.monitor.detectorName, ...(this.options.detector === 'phi' ? { phiThreshold: this.options.phiThreshold ?? defaultPhiAccrualConfig(this.options.liveness).threshold } : {}),
      minPeerReporters: this.manager.peers.config.minPeerReporters, unreachableGraceMs: this.manager.peers.config.unreachableGraceMs,
      peerProbeFanout: this.manager.peers.config.peerProbeFanout,
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.datanodeService.closeAll();
    // Graceful for a moment, then forced: a peer whose connection died silently must not hold the exit.
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => { this.grpcServer.forceShutdown(); resolve(); }, SHUTDOWN_GRACE_MS);
      this.grpcServer.tryShutdown(() => { clearTimeout(force); resolve(); });
    });
    await this.http?.close();
    await this.store?.close();
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
