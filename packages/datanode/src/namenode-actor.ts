/**
 * NamenodeActor: everything a DataNode does towards one NameNode (HDFS BPServiceActor): its own
 * gRPC channel, HeartbeatLink (register, heartbeat stream, reconnect with its own backoff),
 * BlockReporter (full reports, its own incremental and bad-block queues, each bounded as in
 * block-reporter.ts) and session credentials. A DataNode serving an HA pair runs one actor per
 * configured NameNode; nothing of one actor waits on another, so an unreachable NameNode delays
 * only its own actor.
 *
 * Replies carry the NameNode's HA role and epoch; every reply (register, heartbeat answer, block
 * report answer) goes through `admit` (the DataNode's NamenodeFence) before its commands are
 * executed, REREGISTER and SHUTDOWN included. A NameNode that refuses the registration for good
 * (another cluster id, a wrong secret, the id in use) ends this actor only (`onRefused`); the
 * DataNode decides what that means for the process.
 */
import type * as grpc from '@grpc/grpc-js';
import type { ClusterKeys, DatanodeCommand__Output, DatanodeInfo, Logger, RegisterResponse__Output } from '@minidfs/common';
import type { BackoffConfig } from './backoff';
import { BlockReporter } from './block-reporter';
import type { BlockStore, StoredBlock } from './block-store';
import type { CommandSource } from './command-executor';
import { HeartbeatLink, type HeartbeatLinkOptions, type LinkStats } from './heartbeat-link';
import { NamenodeChannel } from './namenode-channel';
import { NodeCredentials } from './node-credentials';

/** Where a reply came from, for fencing and its log line. */
export type ReplySource = 'register' | CommandSource;

export interface NamenodeActorOptions {
  /** The NameNode's RPC address, HOST:PORT, as configured. */
  address: string;
  /** TLS (or plaintext) towards the NameNode. */
  channelCredentials: grpc.ChannelCredentials;
  /** Cluster keys (secret configured): this actor keeps its own session with its NameNode. */
  keys?: ClusterKeys;
  /** Logger for this actor's lines (the DataNode passes one carrying `namenode: address`). */
  logger: Logger;
  backoff: BackoffConfig;
  store: Pick<BlockStore, 'list'>;
  info: () => DatanodeInfo;
  stats: () => LinkStats;
  /** Throw to refuse the NameNode (ClusterIdMismatchError: another cluster). */
  checkRegistration: (reg: RegisterResponse__Output) => void;
  /** After a registration (before its full report is sent). */
  onRegistered: (reg: RegisterResponse__Output) => void;
  /** Judges one reply by its HA role and epoch: true = execute its commands. Called for every reply, commands or not. */
  admit: (source: ReplySource, role: unknown, epoch: unknown, commandCount: number) => boolean;
  /** Executes one admitted command (not REREGISTER on the heartbeat stream: the link handles it). */
  execute: (command: DatanodeCommand__Output, source: CommandSource) => void;
  /** The NameNode refused this node for good; the actor has stopped. */
  onRefused: (err: Error) => void;
  /** Peer probe answers for the next beat (the DataNode hands them only to the commanding NameNode's actor). */
  peerProbes?: HeartbeatLinkOptions['peerProbes'];
  peerProbesPending?: () => number;
}

/** One NameNode as the DataNode sees it (metrics, status). */
export interface NamenodeConnectionStatus {
  address: string;
  /** Registered and the heartbeat stream is open. */
  connected: boolean;
  registered: boolean;
  /** Why the NameNode was refused for good (the actor then does nothing more), if it was. */
  refused?: string;
}

export class NamenodeActor {
  readonly address: string;
  readonly link: HeartbeatLink;
  readonly reporter: BlockReporter;
  private readonly channel: NamenodeChannel;
  private refusal: Error | undefined;

  constructor(options: NamenodeActorOptions) {
    this.address = options.address;
    this.channel = new NamenodeChannel(options.address, options.channelCredentials);
    const credentials = options.keys && new NodeCredentials(options.keys);
    this.reporter = new BlockReporter({
      client: () => this.channel.get(), store: options.store, logger: options.logger,
      metadata: credentials && (() => credentials.sessionMetadata()),
      onCommands: (commands, answer) => {
        if (!options.admit('block-report', answer?.haRole, answer?.epoch, commands.length)) return;
        for (const command of commands) options.execute(command, 'block-report');
      },
    });
    this.link = new HeartbeatLink({
      client: () => this.channel.get(),
      reconnect: () => this.channel.reconnect(),
      logger: options.logger,
      backoff: options.backoff,
      info: options.info,
      stats: options.stats,
      checkRegistration: options.checkRegistration,
      // Not awaited by the stream: the heartbeat must not wait for a (possibly large or slow) report.
      onRegistered: (reg) => {
        // A RegisterResponse has no commands, but its role and epoch count.
        options.admit('register', reg.haRole, reg.epoch, 0);
        options.onRegistered(reg);
        this.reporter.onRegistered({ nodeId: reg.nodeId, registrationId: reg.registrationId, blockReportIntervalMs: reg.blockReportIntervalMs });
      },
      admitCommands: (res) => options.admit('heartbeat', res.haRole, res.epoch, res.commands.length),
      onCommand: (command) => options.execute(command, 'heartbeat'),
      onFatal: (err) => {
        this.refusal = err;
        this.reporter.stop();
        options.onRefused(err);
      },
      credentials,
      peerProbes: options.peerProbes,
      peerProbesPending: options.peerProbesPending,
    });
  }

  start(): void {
    this.link.start();
  }

  get refused(): Error | undefined {
    return this.refusal;
  }

  status(): NamenodeConnectionStatus {
    return {
      address: this.address, connected: this.link.connected, registered: this.link.registration !== undefined && this.refusal === undefined,
      ...(this.refusal ? { refused: this.refusal.message } : {}),
    };
  }

  blockReceived(block: StoredBlock): void {
    this.reporter.blockReceived(block);
  }

  beingWritten(block: StoredBlock): void {
    this.reporter.beingWritten(block);
  }

  blockDeleted(blockId: number): void {
    this.reporter.blockDeleted(blockId);
  }

  reportBadBlock(blockId: number): void {
    this.reporter.reportBadBlock(blockId);
  }

  /** Stops the link (goodbye first when asked) and the reporter, then closes the channel. */
  async stop(goodbye: boolean): Promise<void> {
    await this.link.stop(goodbye);
    this.reporter.stop();
    this.channel.close();
  }
}
