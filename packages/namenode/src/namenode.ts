/**
 * The NameNode process: wires the pure core to gRPC (DatanodeProtocol, ClientProtocol), HTTP and
 * the one timer that calls tick(). Every state transition is logged as one JSON line.
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  type Clock, type LivenessConfig, type Logger, SERVER_OPTIONS, SystemClock, bindServer, createLogger, loadProtos,
  Limits, validateLivenessConfig,
} from '@minidfs/common';
import type { FastifyInstance } from 'fastify';
import { DatanodeManager } from './core/datanode-manager';
import { EventLog } from './core/event-log';
import type { Transition } from './core/heartbeat-monitor';
import { DatanodeProtocolService } from './adapters/datanode-protocol-service';
import { clientProtocolHandlers } from './adapters/client-protocol-service';
import { createHttpServer } from './adapters/http-server';
import { type DatanodeReportJson, toReportJson } from './adapters/report';

export interface NameNodeOptions {
  /** Address to bind both servers to. Default 0.0.0.0. */
  bindHost: string;
  /** gRPC port (DataNodes and clients). 0 = any free port. */
  rpcPort: number;
  /** HTTP port (UI, JSON API, /metrics). 0 = any free port. */
  httpPort: number;
  /** Directory for the cluster id and (later) the namespace store. Created if missing. */
  dataDir: string;
  liveness: LivenessConfig;
  /** Default replication factor for new files. */
  replication: number;
  /** Default block size for new files, bytes. */
  blockSizeBytes: number;
  /** How often DataNodes send a full block report, ms. */
  blockReportIntervalMs: number;
}

export function defaultNameNodeOptions(): Omit<NameNodeOptions, 'dataDir' | 'liveness'> {
  return { bindHost: '0.0.0.0', rpcPort: 8020, httpPort: 9870, replication: 3, blockSizeBytes: 64 * 1024 * 1024, blockReportIntervalMs: 6 * 60 * 60 * 1000 };
}

export class NameNode {
  readonly manager: DatanodeManager;
  readonly events = new EventLog(Limits.maxEventsRetained);
  private readonly grpcServer = new grpc.Server(SERVER_OPTIONS);
  private readonly datanodeService: DatanodeProtocolService;
  private http: FastifyInstance | undefined;
  private timer: NodeJS.Timeout | undefined;
  readonly clusterId: string;
  rpcPort = 0;
  httpPort = 0;

  constructor(
    private readonly options: NameNodeOptions,
    private readonly logger: Logger = createLogger('namenode'),
    private readonly clock: Clock = new SystemClock(),
  ) {
    validateLivenessConfig(options.liveness);
    fs.mkdirSync(options.dataDir, { recursive: true });
    this.clusterId = loadOrCreate(path.join(options.dataDir, 'cluster-id'), () => `CID-${randomUUID()}`);
    this.manager = new DatanodeManager(options.liveness, () => randomUUID());
    this.datanodeService = new DatanodeProtocolService({
      manager: this.manager,
      clock: this.clock,
      logger: this.logger,
      settings: { blockSizeBytes: options.blockSizeBytes, blockReportIntervalMs: options.blockReportIntervalMs, clusterId: this.clusterId },
      onTransitions: (ts) => this.recordTransitions(ts),
    });
  }

  async start(): Promise<void> {
    const protos = loadProtos();
    this.grpcServer.addService(protos.DatanodeProtocol.service, this.datanodeService.handlers());
    this.grpcServer.addService(protos.ClientProtocol.service, clientProtocolHandlers({ datanodeReport: () => this.datanodeReport() }));
    this.rpcPort = await bindServer(this.grpcServer, `${this.options.bindHost}:${this.options.rpcPort}`);
    this.http = createHttpServer({ datanodeReport: () => this.datanodeReport(), events: (after) => this.events.since(after) });
    await this.http.listen({ host: this.options.bindHost, port: this.options.httpPort });
    const address = this.http.server.address();
    this.httpPort = typeof address === 'object' && address ? address.port : this.options.httpPort;
    // The one timer. Ticking 4x per interval bounds detection granularity to interval/4.
    const tickMs = Math.max(5, Math.floor(this.options.liveness.heartbeatIntervalMs / 4));
    this.manager.tick(this.clock.nowMs());
    this.timer = setInterval(() => this.recordTransitions(this.manager.tick(this.clock.nowMs())), tickMs);
    this.logger.info('namenode started', {
      event: 'started', rpcPort: this.rpcPort, httpPort: this.httpPort, clusterId: this.clusterId, ...this.options.liveness,
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.datanodeService.closeAll();
    await new Promise<void>((resolve) => this.grpcServer.tryShutdown(() => resolve()));
    await this.http?.close();
    this.logger.info('namenode stopped', { event: 'stopped' });
  }

  datanodeReport(): DatanodeReportJson {
    return toReportJson(this.manager.report(this.clock.nowMs()), false);
  }

  private recordTransitions(transitions: Transition[]): void {
    for (const t of transitions) {
      this.logger.info(`datanode ${t.nodeId} ${t.from} -> ${t.to}`, {
        event: 'transition', nodeId: t.nodeId, from: t.from, to: t.to, reason: t.reason,
        missedBeats: t.missedBeats, msSinceLastHeartbeat: t.msSinceLastHeartbeat,
      });
      this.events.append(t.atMs, 'transition', {
        nodeId: t.nodeId, from: t.from, to: t.to, reason: t.reason, missedBeats: t.missedBeats, msSinceLastHeartbeat: t.msSinceLastHeartbeat,
      });
    }
  }
}

function loadOrCreate(file: string, create: () => string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const value = create();
    fs.writeFileSync(file, value + '\n');
    return value;
  }
}
