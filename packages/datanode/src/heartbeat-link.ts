/**
 * HeartbeatLink: the DataNode's side of DatanodeProtocol. Registers, then keeps one bidirectional
 * Heartbeat stream open and sends a beat every interval the NameNode returned. When the stream
 * breaks (NameNode restart, network) it reopens it after a jittered backoff; when the NameNode
 * answers REREGISTER (it restarted, or declared us DEAD) it registers again. On stop(goodbye) it
 * sends a last beat with goodbye=true so the NameNode can mark it down without waiting.
 *
 * A watchdog tears the stream down when no answer came for a while (the NameNode is partitioned
 * away or hung), so the link recovers on its own once the path heals.
 *
 * The stream asks for quiet acks (ACK_GAP_METADATA_KEY, LinkPolicy.quietAckGapMs): the NameNode
 * answers a beat that changed nothing only once per that gap, so most beats get no answer; the
 * watchdog allows four such gaps.
 *
 * Peer probe answers (ProbePeers, docs/GOSSIP.md) ride on beats, at most
 * Limits.maxPeerProbeResultsPerBeat each; beatSoon() sends the next beat early when answers are
 * ready, and while answers are left over the following beat is early too. While the stream is
 * down they wait (the agent bounds them).
 *
 * One link serves one NameNode; a DataNode of an HA pair runs one per NameNode (namenode-actor.ts).
 * `admitCommands` sees every answer and may drop its commands (the epoch fence, namenode-fence.ts);
 * REREGISTER is obeyed before it, from any NameNode: it concerns only this link's registration.
 *
 * Every time and limit (beat times, early-beat gap, watchdog, Register deadline, reconnect
 * backoff) comes from the pure LinkPolicy (common/src/link-policy.ts), which the simulators use
 * too; this class only sets the timers it computes.
 */
import * as grpc from '@grpc/grpc-js';
import {
  ACK_GAP_METADATA_KEY, type DatanodeCommand__Output, type DatanodeInfo, type DatanodeProtocolClient, type HeartbeatRequest, type HeartbeatResponse__Output,
  LINK_MIN_EARLY_BEAT_GAP_MS, Limits, LinkPolicy, type Logger, type RegisterResponse__Output, fromGrpcError,
} from '@minidfs/common';
import type { BackoffConfig } from './backoff';
import type { NodeCredentials } from './node-credentials';

/** An early beat (probe answers ready) goes out at least this long after the previous beat (LinkPolicy's default). */
export const MIN_EARLY_BEAT_GAP_MS = LINK_MIN_EARLY_BEAT_GAP_MS;

type PeerProbeResultOut = NonNullable<HeartbeatRequest['peerProbes']>[number];

export interface LinkStats {
  capacityBytes: number;
  usedBytes: number;
  remainingBytes: number;
  activeTransfers: number;
  failedVolumes: number;
  blockCount: number;
}

export interface HeartbeatLinkOptions {
  /** The current NameNode client; may change after `reconnect`. */
  client: () => DatanodeProtocolClient;
  /** Replace the channel before reconnecting (a dead connection is otherwise kept for minutes). */
  reconnect?: () => void;
  info: () => DatanodeInfo;
  stats: () => LinkStats;
  logger: Logger;
  /** Reconnect backoff ceilings (LinkPolicy reconnectInitialMs / reconnectMaxMs). */
  backoff: BackoffConfig;
  /**
   * Checks a registration answer before anything else happens on it (no report, no stream): throw
   * to refuse the NameNode. A ClusterIdMismatchError (or UNAUTHENTICATED / INVALID_ARGUMENT) is
   * fatal (onFatal); any other error retries the registration.
   */
  checkRegistration?: (reg: RegisterResponse__Output) => void;
  /** Called after every successful registration (e.g. to send a full block report). */
  onRegistered?: (reg: RegisterResponse__Output) => void | Promise<void>;
  /** Commands other than REREGISTER, which the link handles itself. */
  onCommand?: (command: DatanodeCommand__Output) => void;
  /**
   * Asked once per heartbeat answer, before any of its commands: false = act on none of them,
   * REREGISTER included (a DataNode serving several NameNodes fences a standby's or a deposed
   * active's commands, namenode-fence.ts). Called for answers without commands too (they carry
   * the NameNode's role and epoch). Default: every answer's commands are acted on.
   */
  admitCommands?: (response: HeartbeatResponse__Output) => boolean;
  /** Delay until the next beat, given the interval the NameNode returned (default: that interval). */
  nextBeatDelayMs?: (heartbeatIntervalMs: number) => number;
  /** Observers (load generator, metrics): a beat was written; an answer arrived. */
  onBeatSent?: (sequence: number, sendLagMs: number) => void;
  onAnswer?: (response: HeartbeatResponse__Output) => void;
  /** Called when the NameNode refuses the registration for good (e.g. id in use). */
  onFatal?: (err: Error) => void;
  random?: () => number;
  /** Quiet acks asked for, in intervals (LinkPolicy quietAckIntervals); 0 = every beat answered. Default LinkPolicy's (4). */
  quietAckIntervals?: number;
  /** Deadline for Register, ms. Default LinkPolicy's (5,000). */
  registerTimeoutMs?: number;
  /** Proof of the cluster secret (Register proof, session token); absent on an open cluster. */
  credentials?: NodeCredentials;
  /** Peer probe answers to put on the next beat, at most `max` (taken: they are not offered again). */
  peerProbes?: (max: number) => PeerProbeResultOut[];
  /** Answers still waiting after a beat: the next beat goes out early too. */
  peerProbesPending?: () => number;
}

type HeartbeatCall = grpc.ClientDuplexStream<HeartbeatRequest, HeartbeatResponse__Output>;

export class HeartbeatLink {
  registration: RegisterResponse__Output | undefined;
  private call: HeartbeatCall | undefined;
  private sequence = 0;
  private beatTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastAnswerMs = 0;
  private lastBeatMs = 0;
  private stopped = false;
  private readonly policy: LinkPolicy;
  private readonly random: () => number;
  /** Failures since the last successful registration or counted beat (the backoff's exponent). */
  private reconnectAttempt = 0;
  /** Beats sent / answers received, for tests and metrics. */
  readonly counters = { beatsSent: 0, answers: 0, registrations: 0, reconnects: 0, maxSendLagMs: 0, earlyBeats: 0, peerProbesSent: 0 };

  constructor(private readonly options: HeartbeatLinkOptions) {
    this.policy = new LinkPolicy({
      reconnectInitialMs: options.backoff.initialMs, reconnectMaxMs: options.backoff.maxMs,
      ...(options.registerTimeoutMs !== undefined ? { registerTimeoutMs: options.registerTimeoutMs } : {}),
      ...(options.quietAckIntervals !== undefined ? { quietAckIntervals: options.quietAckIntervals } : {}),
    });
    this.random = options.random ?? Math.random;
  }

  start(): void {
    void this.register();
  }

  /** Registered and a heartbeat stream is open (it may still be waiting for its first answer). */
  get connected(): boolean {
    return this.registration !== undefined && this.call !== undefined && !this.stopped;
  }

  /** Stops beating; with goodbye, tells the NameNode first (waits up to timeoutMs for the write). */
  async stop(goodbye: boolean, timeoutMs = 1000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.beatTimer);
    clearTimeout(this.retryTimer);
    const call = this.call;
    this.call = undefined;
    if (!call) return;
    if (goodbye && this.registration) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        call.on('end', () => { clearTimeout(timer); resolve(); });
        call.on('error', () => { clearTimeout(timer); resolve(); });
        call.write(this.beat(true));
        call.end();
      });
    }
    call.cancel();
  }

  /**
   * Send the next beat now rather than at the interval (peer probe answers are ready), but not
   * closer than the policy's early-beat gap to the previous beat. No-op while there is no stream:
   * the first beat of the next stream carries the answers.
   */
  beatSoon(): void {
    const reg = this.registration;
    if (!this.call || !reg || this.stopped) return;
    clearTimeout(this.beatTimer);
    this.counters.earlyBeats += 1;
    const nowMs = Date.now();
    this.scheduleBeat(this.policy.earlyBeatAtMs(this.lastBeatMs, nowMs, reg.heartbeatIntervalMs) - nowMs);
  }

  private async register(): Promise<void> {
    if (this.stopped) return;
    const { logger } = this.options;
    const client = this.options.client();
    const info = this.options.info();
    try {
      const reg = await new Promise<RegisterResponse__Output>((resolve, reject) => {
        const deadline = this.policy.registerDeadlineMs(Date.now());
        const metadata = this.options.credentials?.registerMetadata(info) ?? new grpc.Metadata();
        client.Register({ info }, metadata, { deadline }, (err, res) => (err || !res ? reject(err ?? new Error('empty RegisterResponse')) : resolve(res)));
      });
      if (this.stopped) return;
      this.options.credentials?.acceptRegistration(reg);
      this.options.checkRegistration?.(reg);
      this.registration = reg;
      this.sequence = 0;
      this.counters.registrations += 1;
      this.reconnectAttempt = 0;
      logger.info('registered with namenode', {
        event: 'registered', nodeId: reg.nodeId, heartbeatIntervalMs: reg.heartbeatIntervalMs, clusterId: reg.clusterId,
      });
      await this.options.onRegistered?.(reg);
      this.openStream();
    } catch (err) {
      const e = fromGrpcError(err);
      if (e.code === 'NODE_ID_IN_USE' || e.code === 'INVALID_ARGUMENT' || e.code === 'UNAUTHENTICATED' || e.code === 'CLUSTER_ID_MISMATCH') {
        logger.error('namenode refused registration', { event: 'register-refused', code: e.code, error: e.message });
        this.stopped = true;
        this.options.onFatal?.(e);
        return;
      }
      this.retry('register failed', e);
    }
  }

  private openStream(): void {
    if (this.stopped || !this.registration) return;
    const metadata = this.options.credentials?.sessionMetadata() ?? new grpc.Metadata();
    // Quiet acks (LinkPolicy): beats that change nothing need an answer only now and then.
    const ackGapMs = this.policy.quietAckGapMs(this.registration.heartbeatIntervalMs);
    if (ackGapMs > 0) metadata.set(ACK_GAP_METADATA_KEY, String(ackGapMs));
    const call = this.options.client().Heartbeat(metadata);
    this.call = call;
    this.lastAnswerMs = Date.now();
    call.on('data', (res: HeartbeatResponse__Output) => {
      if (call !== this.call) return;
      this.lastAnswerMs = Date.now();
      this.counters.answers += 1;
      this.options.onAnswer?.(res);
      if (res.ackedSequence > 0) this.reconnectAttempt = 0;
      // REREGISTER concerns only this link (this NameNode lost our registration): it is obeyed
      // whatever the NameNode's role, so a standby that forgot us learns about us again.
      const reregister = res.commands.find((c) => c.reregister);
      if (reregister?.reregister) {
        this.options.logger.info('namenode asked to re-register', { event: 'reregister', reason: reregister.reregister.reason });
        this.dropStream();
        void this.register();
        return;
      }
      if (this.options.admitCommands && !this.options.admitCommands(res)) return;
      for (const command of res.commands) {
        if (command.reregister) {
          this.options.logger.info('namenode asked to re-register', { event: 'reregister', reason: command.reregister.reason });
          this.dropStream();
          void this.register();
          return;
        }
        this.options.onCommand?.(command);
      }
    });
    const broken = (err?: Error) => {
      if (call !== this.call) return;
      this.dropStream();
      // The NameNode no longer accepts this session (another registration replaced it): register again.
      if ((err as Partial<grpc.ServiceError> | undefined)?.code === grpc.status.UNAUTHENTICATED) this.registration = undefined;
      this.retry('heartbeat stream closed', err);
    };
    call.on('error', broken);
    call.on('end', () => broken());
    this.scheduleBeat(0);
  }

  private scheduleBeat(delayMs: number): void {
    const intendedMs = Date.now() + delayMs;
    this.beatTimer = setTimeout(() => {
      const call = this.call;
      const reg = this.registration;
      if (!call || !reg || this.stopped) return;
      const interval = reg.heartbeatIntervalMs;
      if (this.policy.watchdogExpired(this.lastAnswerMs, Date.now(), interval)) {
        this.dropStream();
        this.retry(`no answer from namenode for ${this.policy.watchdogMs(interval)} ms`);
        return;
      }
      const lagMs = Math.max(0, Date.now() - intendedMs);
      this.counters.maxSendLagMs = Math.max(this.counters.maxSendLagMs, lagMs);
      call.write(this.beat(false, lagMs));
      const sentMs = Date.now();
      this.lastBeatMs = sentMs;
      this.counters.beatsSent += 1;
      this.options.onBeatSent?.(this.sequence, lagMs);
      const answersWaiting = (this.options.peerProbesPending?.() ?? 0) > 0;
      const nextAtMs = this.policy.nextBeatAtMs(sentMs, interval, answersWaiting, this.options.nextBeatDelayMs?.(interval) ?? interval);
      this.scheduleBeat(nextAtMs - sentMs);
    }, Math.max(0, delayMs));
  }

  private beat(goodbye: boolean, sendLagMs = 0): HeartbeatRequest {
    const s = this.options.stats();
    this.sequence += 1;
    const peerProbes = goodbye ? [] : this.options.peerProbes?.(Limits.maxPeerProbeResultsPerBeat) ?? [];
    this.counters.peerProbesSent += peerProbes.length;
    return {
      nodeId: this.registration?.nodeId, registrationId: this.registration?.registrationId, sequence: this.sequence,
      capacityBytes: s.capacityBytes, usedBytes: s.usedBytes, remainingBytes: s.remainingBytes,
      activeTransfers: s.activeTransfers, failedVolumes: s.failedVolumes, blockCount: s.blockCount, goodbye, sendLagMs, peerProbes,
    };
  }

  private dropStream(): void {
    clearTimeout(this.beatTimer);
    const call = this.call;
    this.call = undefined;
    call?.cancel();
  }

  private retry(why: string, err?: unknown): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const delayMs = this.policy.reconnectDelayMs(this.reconnectAttempt++, this.random);
    this.counters.reconnects += 1;
    this.options.reconnect?.();
    this.options.logger.warn('namenode link down, retrying', {
      event: 'link-retry', why, error: err instanceof Error ? err.message : undefined, delayMs,
    });
    this.retryTimer = setTimeout(() => (this.registration ? this.openStream() : void this.register()), delayMs);
  }
}
