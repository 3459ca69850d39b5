/**
 * LoadGenerator: one process's share of simulated DataNodes against a real NameNode (HDFS
 * Dynamometer's idea, for the heartbeat path). Nodes start at `startsPerSecond` (a ramp, so
 * 20k Register + BlockReport calls do not arrive in one burst), in a seeded random order so the
 * beat phases spread over the interval. Their heartbeat streams share a bounded pool of gRPC
 * channels, `streamsPerChannel` streams per channel, each its own HTTP/2 connection
 * (`grpc.use_local_subchannel_pool`: grpc-js would otherwise put every channel to one target on
 * one connection) with `per_rpc_retry_buffer_size: 0` from CHANNEL_OPTIONS (shared/DESIGN.md:
 * without it many streams collapse to ~4k msg/s).
 *
 * With heartbeatClient 'direct' (the default) each channel's Heartbeat streams go over an HTTP/2
 * connection of their own without grpc-js (./direct-heartbeat-client.ts); Register and the reports
 * stay on the grpc-js channel.
 *
 * Channels are never replaced on a stream error (one node's hiccup must not cut 99 others off);
 * grpc-js reconnects a channel's connection by itself.
 */
import * as grpc from '@grpc/grpc-js';
import {
  CHANNEL_OPTIONS, type DatanodeProtocolClient, type Logger, deriveClusterKeys, formatHostPort, loadProtos, parseHostPort, readSecretFile,
} from '@minidfs/common';
import { NodeCredentials } from '@minidfs/datanode';
import { Random } from '@minidfs/sim';
import { type LoadgenConfig, validateLoadgenConfig } from './config';
import { DirectHeartbeatChannel } from './direct-heartbeat-client';
import { SimulatedDatanode } from './simulated-datanode';
import { type LoadCounters, type LoadgenSnapshot, newLoadCounters } from './stats';

/** Largest number of gRPC channels one process opens. */
export const MAX_CHANNELS_PER_PROCESS = 1000;
/** Ramp granularity: nodes are started in batches every this many ms. */
const START_TICK_MS = 10;

export class LoadGenerator {
  readonly nodes: SimulatedDatanode[] = [];
  readonly counters: LoadCounters = newLoadCounters();
  private readonly clients: DatanodeProtocolClient[] = [];
  /** The Heartbeat connections of the channels (heartbeatClient 'direct'). */
  private readonly direct: DirectHeartbeatChannel[] = [];
  private readonly order: number[];
  private started = 0;
  private startTimer: NodeJS.Timeout | undefined;
  private readonly cpuAtStart = process.cpuUsage();
  private stopped = false;

  constructor(readonly config: LoadgenConfig, private readonly logger: Logger) {
    validateLoadgenConfig(config);
    const { host, port } = parseHostPort(config.namenode);
    const channels = Math.ceil(config.datanodes / config.streamsPerChannel);
    if (channels > MAX_CHANNELS_PER_PROCESS) {
      throw new RangeError(`${channels} channels exceed MAX_CHANNELS_PER_PROCESS (${MAX_CHANNELS_PER_PROCESS}); raise streamsPerChannel or processes`);
    }
    const Client = loadProtos().DatanodeProtocol;
    for (let c = 0; c < channels; c++) {
      const client = new Client(formatHostPort(host, port), grpc.credentials.createInsecure(), { ...CHANNEL_OPTIONS, 'grpc.use_local_subchannel_pool': 1 });
      if (config.heartbeatClient === 'direct') {
        const direct = new DirectHeartbeatChannel(formatHostPort(host, port));
        this.direct.push(direct);
        this.clients.push(direct.wrap(client));
      } else {
        this.clients.push(client);
      }
    }
    const keys = config.secretFile ? deriveClusterKeys(readSecretFile(config.secretFile)) : undefined;
    const random = new Random(`loadgen/${config.seed}/process/${config.firstIndex}`);
    for (let i = 0; i < config.datanodes; i++) {
      const client = this.clients[Math.floor(i / config.streamsPerChannel)];
      this.nodes.push(new SimulatedDatanode({
        config, index: config.firstIndex + i, client: () => client, logger, counters: this.counters, random: () => random.next(),
        credentials: keys && new NodeCredentials(keys),
      }));
    }
    // Fisher-Yates: the start order, hence the beat phases, is a seeded permutation.
    this.order = this.nodes.map((_, i) => i);
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    }
  }

  /**
   * Starts the ramp: at most startsPerSecond, and at most maxStartingNodes between start and the
   * answer to their first full block report. Resolves once every node has been started.
   */
  start(): Promise<void> {
    const t0 = Date.now();
    let starting: SimulatedDatanode[] = [];
    let credit = 0;
    let last = t0;
    return new Promise((resolve) => {
      const step = () => {
        if (this.stopped) return resolve();
        const now = Date.now();
        credit = Math.min(this.config.startsPerSecond, credit + ((now - last) * this.config.startsPerSecond) / 1000);
        last = now;
        starting = starting.filter((n) => n.running && n.reporter.counters.fullReports === 0);
        while (this.started < this.nodes.length && credit >= 1 && starting.length < this.config.maxStartingNodes) {
          const node = this.nodes[this.order[this.started++]];
          node.start();
          starting.push(node);
          credit -= 1;
        }
        if (this.started >= this.nodes.length) {
          this.logger.info('loadgen: all simulated datanodes started', { event: 'loadgen-started', datanodes: this.nodes.length, ms: Date.now() - t0 });
          return resolve();
        }
        this.startTimer = setTimeout(step, START_TICK_MS);
      };
      credit = 1;
      step();
    });
  }

  /** Stops every node (with goodbye: the NameNode marks them DEAD at once) and closes the channels. */
  async stop(goodbye = false): Promise<void> {
    this.stopped = true;
    clearTimeout(this.startTimer);
    await Promise.all(this.nodes.map((n) => n.stop(goodbye)));
    for (const c of this.clients) c.close();
    for (const d of this.direct) d.close();
  }

  /** The first `count` nodes' ids, e.g. for a test to look up. */
  nodeIds(): string[] {
    return this.nodes.map((n) => n.id);
  }

  snapshot(): LoadgenSnapshot {
    const c = this.counters;
    const cpu = process.cpuUsage(this.cpuAtStart);
    let registered = 0, reconnects = 0, fullReports = 0, reportFailures = 0;
    for (const n of this.nodes) {
      if (n.link.registration && n.running) registered += 1;
      reconnects += n.link.counters.reconnects;
      fullReports += n.reporter.counters.fullReports;
      reportFailures += n.reporter.counters.failures;
    }
    return {
      atMs: Date.now(), processes: 1, datanodes: this.nodes.length, started: this.started, registered, channels: this.clients.length,
      registrations: c.registrations, beatsSent: c.beatsSent, answers: c.answers, acks: c.acks, commands: { ...c.commands },
      invalidatedBlocks: c.invalidatedBlocks, fatal: c.fatal, reconnects, fullReports, reportFailures,
      cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss(),
      roundTrip: c.roundTrip.toJSON(), sendLag: c.sendLag.toJSON(),
    };
  }
}
