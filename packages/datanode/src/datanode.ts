/**
 * The DataNode process: identity (id + uuid + cluster id persisted in `DATA_DIR/VERSION`), the block store
 * (`DATA_DIR/blocks`), the block transfer server (TCP, its own port: write pipeline, reads,
 * replication targets; block-transfer-server.ts), the gRPC data port (Membership), the heartbeat link
 * to the NameNode, block reports (full after every registration and periodically, incremental as
 * blocks come and go) and the commands the NameNode sends back (invalidate, replicate). SIGTERM
 * handling lives in the CLI, which calls stop(): it says goodbye so the NameNode marks the node
 * down without waiting for missed beats. The store is loaded before the server accepts a stream
 * or the node registers, so the first report is complete.
 *
 * Several NameNodes (an HA pair, `namenode: "a:8020,b:8020"`): one NamenodeActor per address
 * (namenode-actor.ts), each with its own channel, registration, heartbeat stream, reports, queues
 * and backoff; every block event is queued for each of them. Commands are executed only from
 * replies the NamenodeFence accepts (an ACTIVE whose epoch is the highest seen; a NameNode without
 * HA only when it is the only one configured); the others are counted and logged
 * (`command-fenced`); each executed command is logged with the epoch of the reply that carried it
 * (`command-executed`). With one address the node behaves exactly as without HA.
 *
 * Storage identity (HDFS current/VERSION): the first NameNode this data dir registers with gives it
 * its cluster id, written to VERSION (fsync + rename) before the first block report. A NameNode with
 * another cluster id (started on an empty or wrong --data-dir) is refused: the node logs
 * `cluster-id-mismatch` and reports nothing to it and deletes nothing. When every configured
 * NameNode has refused the node, it exits (the CLI exits with EXIT_CLUSTER_ID_MISMATCH); with one
 * NameNode that is at once. Moving a data dir to a new cluster on purpose = emptying it.
 *
 * With `membership` set, the node also runs SWIM gossip with its peers (MembershipAgent, docs/GOSSIP.md):
 * the Membership service is on the gRPC data port, the agent starts with the server (it does
 * not wait for the NameNode), Register names the membership address, and every RegisterResponse's
 * membership_seeds are joined through. The NameNode's ProbePeers commands go to the agent and the
 * answers ride on the next beats; clean stop() leaves the membership.
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ClusterIdMismatchError, type ClusterKeys, DfsError, Limits, defaultLivenessConfig, pipelineAckTimeoutMs, type Logger, SERVER_OPTIONS, type TlsMaterial, bindServer, channelCredentials, createLogger,
  deriveClusterKeys, loadProtos, parseHostPort, serverCredentials,
} from '@minidfs/common';
import { swimConfigForPeriod } from '@minidfs/membership';
import type { BackoffConfig } from './backoff';
import { BlockScanner, systemScannerClock } from './block-scanner';
import { BlockStore, type StoredBlock } from './block-store';
import { CommandExecutor } from './command-executor';
import { BlockTransferServer, type TransferCounters, newTransferCounters } from './block-transfer-server';
import type { HeartbeatLink, LinkStats } from './heartbeat-link';
import { MembershipAgent } from './membership-agent';
import type { MembershipHandlers } from './membership-wire';
import { type DataNodeMetricsServer, type NamenodeMetricsStatus, startDataNodeMetricsServer } from './metrics-server';
import { NamenodeActor, type ReplySource } from './namenode-actor';
import { NamenodeFence } from './namenode-fence';
import { Replicator } from './replicator';

/** Block store directory inside the data dir (VERSION stays at the top). */
export const BLOCKS_SUBDIR = 'blocks';
/** How long stop() lets open transfers finish before closing them hard. */
export const STOP_GRACE_MS = 2_000;
/**
 * Default period of the directory scan (DataNodeOptions.directoryScanIntervalMs; HDFS
 * dfs.datanode.directoryscan.interval is 6 h, too slow to matter when reads and copies already
 * notice a lost replica at once, and the scan is one directory listing).
 */
export const DEFAULT_DIRECTORY_SCAN_INTERVAL_MS = 10 * 60_000;
/** Most NameNode addresses one DataNode serves (an HA pair is 2; HDFS allows a few more standbys). */
export const MAX_NAMENODES_PER_DATANODE = 5;

/**
 * The NameNode addresses of a `namenode` option: one HOST:PORT or a comma-separated list (spaces
 * and empty entries ignored). Throws InvalidArgumentError (DfsError) for none, a malformed or
 * repeated address, or more than MAX_NAMENODES_PER_DATANODE.
 */
export function parseNamenodeAddresses(value: string): string[] {
  const addresses = value.split(',').map((a) => a.trim()).filter((a) => a.length > 0);
  if (addresses.length === 0) throw new DfsError('INVALID_ARGUMENT', 'no NameNode address given (HOST:PORT, or a comma-separated list)');
  if (addresses.length > MAX_NAMENODES_PER_DATANODE) {
    throw new DfsError('INVALID_ARGUMENT', `at most ${MAX_NAMENODES_PER_DATANODE} NameNode addresses, got ${addresses.length}`);
  }
  const seen = new Set<string>();
  for (const address of addresses) {
    const { host, port } = parseHostPort(address);
    const key = `${host}:${port}`;
    if (seen.has(key)) throw new DfsError('INVALID_ARGUMENT', `NameNode address ${address} is given twice`);
    seen.add(key);
  }
  return addresses;
}

export interface DataNodeOptions {
  /**
   * NameNode RPC address, HOST:PORT, or a comma-separated list of them (an HA pair: the node
   * registers with, heartbeats to and reports to each; parseNamenodeAddresses).
   */
  namenode: string;
  /** Address to bind the data-transfer (and metrics) server to; `minidfs datanode` defaults to 127.0.0.1. */
  bindHost: string;
  /** gRPC data port (the Membership service). 0 = any free port. */
  port: number;
  /**
   * Block transfer (TCP) port: block bytes move over it (block-transfer-server.ts), advertised to
   * the NameNode as DatanodeInfo.transfer_port. Default 0 = any free port.
   */
  transferPort?: number;
  /** Block storage directory. Created if missing. */
  dataDir: string;
  /** Node id; default: the id persisted in dataDir, else `<hostname>-<port>`. */
  id?: string;
  /** Host others use to reach this node. Default: the machine's hostname. */
  advertiseHost?: string;
  /** Rack label for placement. */
  rack: string;
  /** Reconnect backoff towards the NameNode. */
  backoff: BackoffConfig;
  /** Port for GET /metrics (Prometheus). undefined = no metrics server; 0 = any free port. */
  metricsPort?: number;
  /**
   * Bytes of the volume kept free for other uses (HDFS dfs.datanode.du.reserved): the node reports
   * remaining = free − reserved (never below 0), and the NameNode places no block on a node whose
   * remaining space is below the block size. Default 0.
   */
  reservedBytes?: number;
  /**
   * Cluster secret (docs/SECURITY.md): proves this node to the NameNode (and the NameNode to it),
   * and checks block access tokens on every transfer. Undefined = an open cluster.
   */
  secret?: Buffer;
  /** TLS for the data port and for calls to the NameNode and peers (common/tls.ts); default plaintext. */
  tls?: TlsMaterial;
  /** SWIM gossip with the other DataNodes (docs/GOSSIP.md); undefined = off. */
  membership?: MembershipOptions;
  /**
   * Period of the directory scan, ms (BlockStore.scan: replicas whose files vanished from disk are
   * dropped and reported deleted). Default DEFAULT_DIRECTORY_SCAN_INTERVAL_MS; 0 = no periodic
   * scan (a failed read or copy of such a replica still drops and reports it).
   */
  directoryScanIntervalMs?: number;
  /**
   * Block scanner rate, bytes per second (BlockScanner: every replica's CRCs verified in the
   * background, a bad one reported with ReportBadBlocks). Default Limits.defaultScanBytesPerSecond
   * (1 MiB/s, as HDFS); 0 = no scanner (reads and copies still find corrupt replicas).
   */
  scanBytesPerSecond?: number;
}

export interface MembershipOptions {
  /** Seeds to join through, HOST:PORT of other DataNodes' data ports (the NameNode adds more on registration). */
  seeds: string[];
  /** SWIM protocol period, ms (default 1000); the other timings scale with it (swimConfigForPeriod). */
  protocolPeriodMs: number;
}

interface StorageIdentity {
  id: string;
  uuid: string;
  /** The cluster this data dir belongs to; undefined until the first registration. */
  clusterId?: string;
}

export class DataNode {
  readonly logger: Logger;
  readonly identity: StorageIdentity;
  readonly store: BlockStore;
  readonly transferCounters: TransferCounters = newTransferCounters();
  readonly replicator: Replicator;
  /** One per configured NameNode, in the configured order. */
  readonly actors: NamenodeActor[];
  /** Decides whose commands are executed (highestEpochSeen). */
  readonly fence: NamenodeFence;
  /** Replies whose commands the fence dropped, and those commands, since start. */
  readonly fenceCounters = { fencedReplies: 0, fencedCommands: 0 };
  private readonly fencedByNamenode = new Map<string, number>();
  private readonly server = new grpc.Server(SERVER_OPTIONS);
  private readonly blockTransfer: BlockTransferServer;
  private readonly executor: CommandExecutor;
  private readonly keys: ClusterKeys | undefined;
  private readonly blockTokenKey: Buffer | undefined;
  private advertiseHost = os.hostname();
  private metricsServer: DataNodeMetricsServer | undefined;
  private readonly membershipKey: Buffer | undefined;
  /** The SWIM gossip agent; undefined while gossip is off or before start(). */
  membership: MembershipAgent | undefined;
  metricsPort = 0;
  private onFatal: ((err: Error) => void) | undefined;
  private scanTimer: NodeJS.Timeout | undefined;
  /** The block scanner; undefined when --scan-bytes-per-second is 0 or before start(). */
  scanner: BlockScanner | undefined;
  private registrations = 0;
  private volumeTimer: NodeJS.Timeout | undefined;
  /** A volume check is running (further triggers join it). */
  private volumeCheck: Promise<void> | undefined;
  port = 0;
  /** The bound block transfer (TCP) port; 0 before start(). */
  transferPort = 0;

  constructor(private readonly options: DataNodeOptions, logger?: Logger) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    this.identity = loadIdentity(options.dataDir, options.id, options.port);
    this.logger = logger ?? createLogger('datanode', { nodeId: this.identity.id });
    const addresses = parseNamenodeAddresses(options.namenode);
    this.fence = new NamenodeFence(addresses.length);

    const keys = options.secret ? deriveClusterKeys(options.secret) : undefined;
    this.keys = keys;
    this.blockTokenKey = keys?.blockToken;
    this.membershipKey = keys?.membership;
    const nodeId = () => this.nodeId;
    // A replica whose files vanished is reported deleted at once: the NameNode copies it from one that exists.
    this.store = new BlockStore(path.join(options.dataDir, BLOCKS_SUBDIR), {
      logger: this.logger, onReplicaMissing: (blockId) => this.blockDeleted(blockId),
      onVolumeError: (err) => this.checkVolume(`${err.code ?? 'error'} on a read or write`),
    });
    this.actors = addresses.map((address) => this.newActor(address));
    this.replicator = new Replicator({
      nodeId, store: this.store, tls: options.tls, logger: this.logger, counters: this.transferCounters,
      onCorruptBlock: (blockId) => this.reportBadBlock(blockId),
      onBlockNotHere: (blockId) => this.blockDeleted(blockId),
    });
    this.executor = new CommandExecutor({
      store: this.store, replicator: this.replicator, logger: this.logger,
      onBlockDeleted: (blockId) => this.blockDeleted(blockId),
      onBlockReceived: (block) => this.blockReceived(block),
      onShutdown: (reason) => this.onFatal?.(new DfsError('UNAVAILABLE', `namenode ordered shutdown: ${reason}`)),
      onProbePeers: options.membership && ((targets) => this.membership?.requestProbes(targets)),
    });
    this.blockTransfer = new BlockTransferServer({
      nodeId, store: this.store, logger: this.logger, counters: this.transferCounters, tls: options.tls,
      onBlockReceived: (block) => this.blockReceived(block),
      onBlockDeleted: (blockId) => this.blockDeleted(blockId),
      onPartialKept: (block) => {
        for (const actor of this.actors) actor.beingWritten(block);
      },
      onCorruptBlock: (blockId) => this.reportBadBlock(blockId),
      blockTokenKey: this.blockTokenKey,
      ackTimeoutMs: () => this.ackTimeoutMs(),
    });
  }

  get id(): string {
    return this.identity.id;
  }

  /** The id the NameNode registered us under (the configured one until the first registration). */
  get nodeId(): string {
    return this.anyRegistration()?.nodeId || this.identity.id;
  }

  /** The registration answer of the first configured NameNode that has one. */
  private anyRegistration(): HeartbeatLink['registration'] {
    return this.actors.find((a) => a.link.registration !== undefined && a.refused === undefined)?.link.registration;
  }

  /** Base pipeline ack deadline from the registered liveness settings (the defaults before registering). */
  private ackTimeoutMs(): number {
    const reg = this.anyRegistration();
    return pipelineAckTimeoutMs(reg && reg.heartbeatIntervalMs > 0 && reg.deadAfterMissed > 0 ? reg : defaultLivenessConfig());
  }

  /** Heartbeat link counters summed over the NameNodes. */
  get counters(): HeartbeatLink['counters'] {
    const sum = { ...this.actors[0].link.counters };
    for (const actor of this.actors.slice(1)) {
      for (const key of Object.keys(sum) as Array<keyof typeof sum>) {
        sum[key] = key === 'maxSendLagMs' ? Math.max(sum[key], actor.link.counters[key]) : sum[key] + actor.link.counters[key];
      }
    }
    return sum;
  }

  /** Per NameNode: address, connected or not, refused, the last role and epoch it answered with, commands fenced. */
  namenodeStatus(): NamenodeMetricsStatus[] {
    return this.actors.map((actor) => {
      const seen = this.fence.lastSeen(actor.address);
      return {
        ...actor.status(), fencedCommands: this.fencedByNamenode.get(actor.address) ?? 0,
        ...(seen ? { role: seen.role, epoch: seen.epoch, commandsAccepted: seen.accepted } : {}),
      };
    });
  }

  private newActor(address: string): NamenodeActor {
    // The membership agent's probe answers go to the NameNode whose commands we follow (it asked).
    const commanding = () => this.actors.length === 1 || this.fence.commandingNamenode === address;
    return new NamenodeActor({
      address, channelCredentials: channelCredentials(this.options.tls), keys: this.keys, logger: this.logger.child({ namenode: address }),
      backoff: this.options.backoff, store: this.store,
      info: () => ({
        id: this.identity.id, uuid: this.identity.uuid, host: this.advertiseHost, dataPort: this.port, transferPort: this.transferPort,
        rack: this.options.rack, ...this.capacity(), softwareVersion: '0.1.0', membershipAddress: this.membership?.address ?? '',
        filesystemId: `${os.hostname()}:${fs.statSync(this.options.dataDir).dev}`,
      }),
      stats: () => this.stats(),
      checkRegistration: (reg) => this.acceptClusterId(reg.clusterId, address),
      onRegistered: (reg) => {
        this.membership?.addRegistrationSeeds(reg.membershipSeeds ?? []);
        // A NameNode we register with (again, or for the first time after another) may not know of
        // corrupt replicas: the scanner reports them anew (to every NameNode; duplicates are harmless).
        if (this.registrations++ > 0) this.scanner?.forgetReported();
      },
      admit: (source, role, epoch, commandCount) => this.admit(address, source, role, epoch, commandCount),
      execute: (command, source) => {
        // The reply was just admitted (same tick): the fence's last word on this NameNode is its role and epoch.
        const seen = this.fence.lastSeen(address);
        this.logger.info('executing namenode command', {
          event: 'command-executed', namenode: address, epoch: seen?.epoch ?? 0, role: seen?.role ?? 'HA_ROLE_UNSPECIFIED', kind: command.kind,
          ...(command.invalidate ? { blockIds: command.invalidate.blockIds } : {}), source,
        });
        this.executor.execute(command, source);
      },
      onRefused: (err) => this.onNamenodeRefused(address, err),
      peerProbes: (max) => (commanding() ? this.membership?.takeProbeResults(max) ?? [] : []),
      peerProbesPending: () => (commanding() ? this.membership?.pendingProbeResults ?? 0 : 0),
    });
  }

  /**
   * The fence's decision on one reply of `address`: true = execute its commands. A change of the
   * NameNode's role or epoch is logged (`namenode-role`); a reply with commands that are dropped is
   * logged (`command-fenced`) and counted.
   */
  private admit(address: string, source: ReplySource, role: unknown, epoch: unknown, commandCount: number): boolean {
    const d = this.fence.decide(address, role, epoch);
    if (d.changed) {
      this.logger.info('namenode role or epoch changed', {
        event: 'namenode-role', namenode: address, role: d.role, epoch: d.epoch, highestEpochSeen: d.highestEpochSeen, commandsAccepted: d.accepted, verdict: d.verdict, source,
      });
    }
    if (!d.accepted && commandCount > 0) {
      this.fenceCounters.fencedReplies += 1;
      this.fenceCounters.fencedCommands += commandCount;
      this.fencedByNamenode.set(address, (this.fencedByNamenode.get(address) ?? 0) + commandCount);
      this.logger.warn('commands from a namenode that is not the active one dropped', {
        event: 'command-fenced', namenode: address, role: d.role, epoch: d.epoch, highestEpochSeen: d.highestEpochSeen, commands: commandCount, verdict: d.verdict, source,
      });
    }
    return d.accepted;
  }

  /** A NameNode refused this node for good: the process gives up only when every NameNode has. */
  private onNamenodeRefused(address: string, err: Error): void {
    const remaining = this.actors.filter((a) => a.refused === undefined).map((a) => a.address);
    if (remaining.length === 0) {
      this.onFatal?.(err);
      return;
    }
    this.logger.error('namenode refused this node; serving the other namenodes', {
      event: 'namenode-refused', namenode: address, error: err.message, code: err instanceof DfsError ? err.code : undefined, remaining,
    });
  }

  private blockReceived(block: StoredBlock): void {
    for (const actor of this.actors) actor.blockReceived(block);
  }

  private blockDeleted(blockId: number): void {
    for (const actor of this.actors) actor.blockDeleted(blockId);
  }

  private reportBadBlock(blockId: number): void {
    for (const actor of this.actors) actor.reportBadBlock(blockId);
  }

  private beatSoon(): void {
    for (const actor of this.actors) actor.link.beatSoon();
  }

  async start(onFatal?: (err: Error) => void): Promise<void> {
    this.onFatal = onFatal;
    await this.store.init();
    const protos = loadProtos();
    if (this.options.membership) this.server.addService(protos.Membership.service, this.membershipHandlers());
    this.port = await bindServer(this.server, `${this.options.bindHost}:${this.options.port}`, { credentials: serverCredentials(this.options.tls) });
    this.transferPort = await this.blockTransfer.listen(this.options.bindHost, this.options.transferPort ?? 0);
    const advertiseHost = this.options.advertiseHost ?? os.hostname();
    this.advertiseHost = advertiseHost;
    if (this.options.membership) {
      // The port is known only now (--port 0); the service answers UNAVAILABLE until this point.
      this.membership = new MembershipAgent({
        id: this.identity.id, address: hostPort(advertiseHost, this.port), config: swimConfigForPeriod(this.options.membership.protocolPeriodMs),
        key: this.membershipKey, logger: this.logger, credentials: channelCredentials(this.options.tls), seeds: this.options.membership.seeds,
        onProbeResults: () => this.beatSoon(),
      });
      this.membership.start();
    }
    for (const actor of this.actors) actor.start();
    this.startDirectoryScans();
    this.startVolumeChecks();
    this.startBlockScanner();
    if (this.options.metricsPort !== undefined) {
      this.metricsServer = await startDataNodeMetricsServer({
        port: this.options.metricsPort, host: this.options.bindHost,
        collect: () => ({
          nodeId: this.nodeId,
          registered: this.actors.some((a) => a.status().registered),
          blocks: this.store.blockCount(),
          ...this.capacity(),
          transfers: { ...this.transferCounters },
          activeReplications: this.replicator.active,
          heartbeat: this.counters,
          namenodes: this.namenodeStatus(),
          highestEpochSeen: this.fence.highestEpochSeen,
          fencedCommands: this.fenceCounters.fencedCommands,
          scanner: this.scanner && { ...this.scanner.stats },
        }),
      });
      this.metricsPort = this.metricsServer.port;
    }
    this.logger.info('datanode started', {
      event: 'started', port: this.port, transferPort: this.transferPort, membership: this.membership ? this.membership.address : 'off', authentication: this.keys ? 'cluster-secret' : 'none', tls: this.options.tls ? (this.options.tls.ca ? 'mutual' : 'server') : 'off', metricsPort: this.metricsPort, dataDir: this.options.dataDir, namenode: this.options.namenode, namenodes: this.actors.map((a) => a.address), blocks: this.store.blockCount(),
      scanBytesPerSecond: this.options.scanBytesPerSecond ?? Limits.defaultScanBytesPerSecond,
      clusterId: this.identity.clusterId ?? '',
    });
  }

  /** Runs BlockStore.scan every directoryScanIntervalMs (one at a time; a failure is logged and the next scan runs). */
  private startDirectoryScans(): void {
    const intervalMs = this.options.directoryScanIntervalMs ?? DEFAULT_DIRECTORY_SCAN_INTERVAL_MS;
    if (!(intervalMs > 0)) return;
    let running = false;
    this.scanTimer = setInterval(() => {
      if (running) return;
      running = true;
      const startedMs = Date.now();
      this.store.scan().then(
        (dropped) => {
          const fields = { event: 'directory-scan', replicas: this.store.blockCount(), missing: dropped, ms: Date.now() - startedMs };
          if (dropped.length > 0) this.logger.warn('directory scan found replicas whose files are gone', fields);
          else this.logger.debug('directory scan', fields);
        },
        (err: unknown) => this.logger.error('directory scan failed', { event: 'directory-scan-failed', error: (err as Error).message }),
      ).finally(() => { running = false; });
    }, intervalMs);
    this.scanTimer.unref();
  }

  /** Starts the block scanner unless its rate is 0. */
  private startBlockScanner(): void {
    const bytesPerSecond = this.options.scanBytesPerSecond ?? Limits.defaultScanBytesPerSecond;
    if (!(bytesPerSecond > 0)) return;
    this.scanner = new BlockScanner({
      store: this.store, bytesPerSecond, clock: systemScannerClock, logger: this.logger,
      onBadReplica: (block) => this.reportBadBlock(block.blockId),
      onIoError: (err) => this.checkVolume(`${err.code ?? 'error'} in the block scanner`),
    });
    this.scanner.start();
  }

  /** Checks the volume every directoryScanIntervalMs (0 = only when a read or write hits a disk error). */
  private startVolumeChecks(): void {
    const intervalMs = this.options.directoryScanIntervalMs ?? DEFAULT_DIRECTORY_SCAN_INTERVAL_MS;
    if (!(intervalMs > 0)) return;
    this.volumeTimer = setInterval(() => this.checkVolume('periodic check'), intervalMs);
    this.volumeTimer.unref();
  }

  /**
   * Runs BlockStore.checkVolume (one at a time); a failed volume is failed for good (until a
   * restart): its replicas are forgotten and reported deleted, so the NameNode re-replicates them
   * from other nodes; heartbeats then carry failed_volumes 1 and no remaining space, so no new
   * replica is placed here. One log line (`volume-failed`).
   */
  private checkVolume(trigger: string): void {
    if (this.volumeCheck || this.store.volumeFailure !== undefined) return;
    this.volumeCheck = this.store.checkVolume().then((reason) => {
      if (reason === undefined) return;
      const lost = this.store.failVolume(reason);
      this.logger.error('data volume failed: its replicas are reported deleted and re-replicated elsewhere', {
        event: 'volume-failed', dataDir: this.options.dataDir, reason, trigger, replicas: lost.length,
      });
      for (const block of lost) this.blockDeleted(block.blockId);
      void this.scanner?.stop();
      this.beatSoon();
    }, (err: unknown) => {
      this.logger.error('volume check failed to run', { event: 'volume-check-failed', error: (err as Error).message });
    }).finally(() => { this.volumeCheck = undefined; });
  }

  /** Graceful stop: goodbye to every NameNode and leave the gossip membership, then close servers. */
  async stop(goodbye = true): Promise<void> {
    clearInterval(this.scanTimer);
    clearInterval(this.volumeTimer);
    await this.scanner?.stop();
    await Promise.all([...this.actors.map((a) => a.stop(goodbye)), this.membership?.stop(goodbye)]);
    await this.metricsServer?.close();
    this.replicator.stop();
    const grpcStopped = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, STOP_GRACE_MS);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await Promise.all([grpcStopped, this.blockTransfer.close(STOP_GRACE_MS)]);
    this.logger.info('datanode stopped', { event: 'stopped', goodbye });
  }

  /**
   * The cluster id of a registration answer: adopted (and persisted before anything is reported)
   * when this data dir has none yet, else it must be the remembered one. Throws
   * ClusterIdMismatchError to refuse the NameNode at `namenode`. Synchronous, so two NameNodes
   * answering at once cannot both adopt an id.
   */
  private acceptClusterId(clusterId: string, namenode: string): void {
    const ours = this.identity.clusterId;
    const { dataDir } = this.options;
    if (!clusterId) {
      throw new ClusterIdMismatchError(`the NameNode at ${namenode} sent no cluster id; refusing it (this data dir belongs to ${ours ?? 'no cluster yet'})`);
    }
    if (ours === clusterId) return;
    if (ours === undefined) {
      writeVersion(dataDir, { ...this.identity, clusterId });
      this.identity.clusterId = clusterId;
      this.logger.info('data dir joined the cluster', { event: 'cluster-id-adopted', clusterId, dataDir, blocks: this.store.blockCount() });
      return;
    }
    this.logger.error('namenode belongs to another cluster: refusing it, nothing reported or deleted', {
      event: 'cluster-id-mismatch', clusterId: ours, namenodeClusterId: clusterId, namenode, dataDir, blocks: this.store.blockCount(),
    });
    throw new ClusterIdMismatchError(
      `the NameNode at ${namenode} is cluster ${clusterId}, but ${dataDir} belongs to cluster ${ours} (was the NameNode started on an empty or another --data-dir?). `
      + `Nothing was reported or deleted. Start the NameNode on its own data dir; to move this DataNode to the new cluster on purpose, stop it and empty ${dataDir} (its ${this.store.blockCount()} blocks are then gone)`,
    );
  }

  /** Membership handlers that reach the agent once start() has made it (UNAVAILABLE before). */
  private membershipHandlers(): MembershipHandlers {
    const notYet = { code: grpc.status.UNAVAILABLE, details: 'membership not started yet' };
    return {
      Deliver: (call, callback) => (this.membership ? this.membership.handlers().Deliver(call, callback) : callback(notYet)),
      GetMembership: (call, callback) => (this.membership ? this.membership.handlers().GetMembership(call, callback) : callback(notYet)),
    };
  }

  private capacity(): { capacityBytes: number; usedBytes: number; remainingBytes: number } {
    const s = fs.statfsSync(this.options.dataDir);
    const capacityBytes = s.blocks * s.bsize;
    // A failed volume takes no new replicas.
    const remainingBytes = this.store.volumeFailure !== undefined ? 0 : Math.max(0, s.bavail * s.bsize - (this.options.reservedBytes ?? 0));
    return { capacityBytes, remainingBytes, usedBytes: this.store.usedBytes() };
  }

  private stats(): LinkStats {
    return {
      ...this.capacity(), activeTransfers: this.transferCounters.activeTransfers + this.replicator.active,
      failedVolumes: this.store.volumeFailure !== undefined ? 1 : 0,
      blockCount: this.store.blockCount(),
    };
  }
}

/** "host:port" as a channel target (IPv6 literals bracketed). */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Storage identity file inside the data dir: {"id","uuid","clusterId"} (JSON). */
export const VERSION_FILE = 'VERSION';

/**
 * Reads or creates dataDir/VERSION: the node's id, uuid and cluster id survive restarts. A VERSION
 * that exists but cannot be read is an error (starting fresh would forget the cluster id and let
 * any NameNode judge the blocks).
 */
function loadIdentity(dataDir: string, requestedId: string | undefined, port: number): StorageIdentity {
  const file = path.join(dataDir, VERSION_FILE);
  let stored: Partial<StorageIdentity> = {};
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined) {
    try {
      stored = JSON.parse(text) as Partial<StorageIdentity>;
      if (stored === null || typeof stored !== 'object') throw new Error('not a JSON object');
      if (stored.clusterId !== undefined && (typeof stored.clusterId !== 'string' || !stored.clusterId)) throw new Error('clusterId is not a non-empty string');
    } catch (err) {
      throw new DfsError('INVALID_ARGUMENT', `${file} is unreadable (${(err as Error).message}): repair it, or empty ${dataDir} to start this DataNode afresh`);
    }
  }
  const identity: StorageIdentity = {
    id: requestedId ?? stored.id ?? `${os.hostname()}-${port}`,
    uuid: stored.uuid ?? randomUUID(),
    ...(stored.clusterId ? { clusterId: stored.clusterId } : {}),
  };
  if (identity.id !== stored.id || identity.uuid !== stored.uuid) writeVersion(dataDir, identity);
  return identity;
}

/** Writes dataDir/VERSION durably: temp file, fsync, rename, directory fsync. */
function writeVersion(dataDir: string, identity: StorageIdentity): void {
  const file = path.join(dataDir, VERSION_FILE);
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, JSON.stringify(identity) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dir = fs.openSync(dataDir, 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}
