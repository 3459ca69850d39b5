/**
 * The DataNode process: identity (id + uuid persisted in the data dir), the data-transfer gRPC
 * server, and the heartbeat link to the NameNode. SIGTERM handling lives in the CLI, which calls
 * stop(): it says goodbye so the NameNode marks the node down without waiting for missed beats.
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CHANNEL_OPTIONS, type DatanodeProtocolClient, type Logger, SERVER_OPTIONS, bindServer, createLogger, loadProtos, parseHostPort,
} from '@minidfs/common';
import type { BackoffConfig } from './backoff';
import { HeartbeatLink, type LinkStats } from './heartbeat-link';

export interface DataNodeOptions {
  /** NameNode RPC address, HOST:PORT. */
  namenode: string;
  /** Address to bind the data-transfer server to. Default 0.0.0.0. */
  bindHost: string;
  /** Data-transfer port. 0 = any free port. */
  port: number;
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
}

interface StorageIdentity {
  id: string;
  uuid: string;
}

export class DataNode {
  readonly logger: Logger;
  readonly identity: StorageIdentity;
  private readonly server = new grpc.Server(SERVER_OPTIONS);
  private readonly nnClient: DatanodeProtocolClient;
  private link: HeartbeatLink | undefined;
  port = 0;

  constructor(private readonly options: DataNodeOptions, logger?: Logger) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    this.identity = loadIdentity(options.dataDir, options.id, options.port);
    this.logger = logger ?? createLogger('datanode', { nodeId: this.identity.id });
    const nn = parseHostPort(options.namenode);
    const protos = loadProtos();
    this.nnClient = new protos.DatanodeProtocol(`${nn.host}:${nn.port}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  }

  get id(): string {
    return this.identity.id;
  }

  get counters(): HeartbeatLink['counters'] | undefined {
    return this.link?.counters;
  }

  async start(onFatal?: (err: Error) => void): Promise<void> {
    const protos = loadProtos();
    const unimplemented = (call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>) =>
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'data transfer arrives with the blocks issue' });
    this.server.addService(protos.DataTransfer.service, { WriteBlock: unimplemented, ReadBlock: unimplemented });
    this.port = await bindServer(this.server, `${this.options.bindHost}:${this.options.port}`);
    this.link = new HeartbeatLink({
      client: this.nnClient,
      logger: this.logger,
      backoff: this.options.backoff,
      info: () => ({
        id: this.identity.id, uuid: this.identity.uuid, host: this.options.advertiseHost ?? os.hostname(), dataPort: this.port,
        rack: this.options.rack, ...this.capacity(), softwareVersion: '0.1.0',
      }),
      stats: () => this.stats(),
      onFatal: (err) => onFatal?.(err),
    });
    this.link.start();
    this.logger.info('datanode started', { event: 'started', port: this.port, dataDir: this.options.dataDir, namenode: this.options.namenode });
  }

  /** Graceful stop: goodbye to the NameNode, then close servers. */
  async stop(goodbye = true): Promise<void> {
    await this.link?.stop(goodbye);
    this.nnClient.close();
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.logger.info('datanode stopped', { event: 'stopped', goodbye });
  }

  private capacity(): { capacityBytes: number; usedBytes: number; remainingBytes: number } {
    const s = fs.statfsSync(this.options.dataDir);
    const capacityBytes = s.blocks * s.bsize;
    const remainingBytes = s.bavail * s.bsize;
    return { capacityBytes, remainingBytes, usedBytes: 0 };
  }

  private stats(): LinkStats {
    return { ...this.capacity(), activeTransfers: 0, failedVolumes: 0, blockCount: 0 };
  }
}

/** Reads or creates dataDir/VERSION: the node's id and uuid survive restarts. */
function loadIdentity(dataDir: string, requestedId: string | undefined, port: number): StorageIdentity {
  const file = path.join(dataDir, 'VERSION');
  let stored: Partial<StorageIdentity> = {};
  try {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<StorageIdentity>;
  } catch {
    // fresh data dir
  }
  const identity: StorageIdentity = {
    id: requestedId ?? stored.id ?? `${os.hostname()}-${port}`,
    uuid: stored.uuid ?? randomUUID(),
  };
  if (identity.id !== stored.id || identity.uuid !== stored.uuid) {
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(identity) + '\n');
    fs.renameSync(tmp, file);
  }
  return identity;
}
