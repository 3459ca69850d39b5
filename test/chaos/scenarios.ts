/**
 * Chaos scenarios and the runner both jest (scenarios.test.ts) and `npm run chaos` (run.ts) use.
 *
 * A run has phases and verdicts (TigerBeetle VOPR): start a cluster, start the workload, warm up
 * (a few acknowledged writes), FAULT PHASE (the scenario injects faults while the workload runs),
 * HEAL (every fault still on is ended: resume, heal rules, restart dead nodes), drain the workload,
 * LIVENESS PHASE (all DataNodes LIVE and fsck healthy within a bound), VERIFY (read everything
 * back, compare every listed replica on disk), then the checker's verdict plus the scenario's own
 * requirements. Everything random comes from the seed (printed as CHAOS_SEED=<n> first), so a
 * failing run replays with the same faults on the same nodes at the same offsets and the same
 * file contents; only OS scheduling differs between replays.
 */
import type { DfsWriteStream } from '@minidfs/client';
import { deadEverywhereBoundMs, swimConfigForPeriod } from '@minidfs/membership';
import { DEPOSE_AFTER_TTLS } from '@minidfs/namenode';
import { type Verdict, check } from './checker';
import { checkHa } from './ha-checker';
import { type FaultKind } from './faults';
import {
  CHAOS_PROFILE, ChaosCluster, ClusterStoppedError, type ClusterOptions, type Fsck, type GossipOptions, type HaOptions, type HostProcess,
  type Profile, type Transition, deadBoundMs, deadTimeoutMs,
} from './harness';
import type { NetFault, NetMode } from './network';
import { Prng } from './prng';
import { checkReplicasOnDisk, finalReadBack, type ReplicaCheck } from './verify';
import { DEFAULT_WORKLOAD, Workload, type WorkloadOptions } from './workload';

export interface ScenarioContext {
  cluster: ChaosCluster;
  workload: Workload;
  rng: Prng;
  profile: Profile;
  /** Set by run.ts --duration for the randomized scenario; the scenario's default otherwise. */
  durationMs: number | undefined;
  log(line: string): void;
  /** Keeps a fault on for `ms`: the length of a fault is the fault itself, not a wait for a condition. */
  hold(ms: number): Promise<void>;
  /** A scenario-specific requirement; false becomes a failure line in the verdict. */
  require(cond: boolean, what: string): void;
  /** Waits for a transition of `nodeId` to `to` logged at or after `sinceMs`. */
  waitForTransitionOf(nodeId: string, to: string, sinceMs: number, timeoutMs?: number, reason?: string): Promise<Transition>;
}

export interface Scenario {
  name: string;
  /** What it shows, one line (docs and the verdict table). */
  summary: string;
  /** Network faults it needs (skipped in loopback mode otherwise). */
  needs: NetFault[];
  datanodes: number;
  replication?: number;
  profile?: Profile;
  delayProxy?: boolean;
  /** Size of the tmpfs data dir for one DataNode (chosen by the scenario as `tmpfsNode`). */
  tmpfs?: { node: string; bytes: number };
  /** DataNodes gossip (SWIM) and the NameNode uses their evidence (docs/GOSSIP.md, docs/PEER-EVIDENCE.md). */
  gossip?: GossipOptions;
  /** NameNode HA: etcd members and NameNodes on their own hosts (needs netns and /usr/bin/etcd; skipped otherwise). */
  ha?: HaOptions;
  workload?: Partial<Omit<WorkloadOptions, 'namenode' | 'dir'>>;
  /** jest timeout for the whole scenario, ms. */
  timeoutMs: number;
  /** Part of the CI set (scenarios.test.ts). */
  ci: boolean;
  faults(ctx: ScenarioContext): Promise<void>;
}

export interface RunOptions {
  mode: NetMode;
  /** Progress lines (seed first). */
  log?: (line: string) => void;
  /** Overrides the scenario's profile (the broken-detector demonstration). */
  profile?: Profile;
  durationMs?: number;
  /** fsck must be healthy this long after the heal at the latest. Default 30 s. */
  fsckBoundMs?: number;
  keepLogs?: 'always' | 'on-failure' | 'never';
}

export interface ScenarioResult {
  name: string;
  seed: number;
  mode: NetMode;
  profile: Profile;
  verdict: Verdict;
  /** Requirements of the scenario itself and errors of the run (a thrown error = a crash verdict). */
  scenarioFailures: string[];
  ok: boolean;
  wallMs: number;
  faultPhaseMs: number;
  drain: { drainMs: number; pending: number };
  /** Wall time of each phase, ms: start (cluster up), warmup, faults, heal, liveness, verify. */
  phases: Record<string, number>;
  replicas: ReplicaCheck | undefined;
  logsDir: string | undefined;
  faultLog: string[];
}

const BLOCK = 64 * 1024;

export async function runScenario(s: Scenario, seed: number, options: RunOptions): Promise<ScenarioResult> {
  const t0 = Date.now();
  const profile = options.profile ?? s.profile ?? CHAOS_PROFILE;
  const faultLog: string[] = [];
  const say = options.log ?? (() => undefined);
  say(`CHAOS_SEED=${seed} scenario="${s.name}" mode=${options.mode} profile=${profile.name} (beat ${profile.heartbeatIntervalMs} ms, stale ${profile.staleAfter}, dead ${profile.deadAfter})`);
  const log = (line: string) => {
    const stamped = `${new Date().toISOString().slice(11, 23)} ${line}`;
    faultLog.push(stamped);
    say(`  ${stamped}`);
  };
  const rng = new Prng(seed).fork(s.name);
  const scenarioFailures: string[] = [];
  const fsckBoundMs = options.fsckBoundMs ?? 30_000;
  const clusterOptions: ClusterOptions = {
    name: s.name, datanodes: s.datanodes, profile, replication: s.replication ?? 3, blockSizeBytes: BLOCK,
    mode: options.mode, delayProxy: s.delayProxy, log, gossip: s.gossip, ha: s.ha,
    // A tmpfs needs root; in loopback mode the disk-full fault is simply not on the menu.
    tmpfsBytes: s.tmpfs && options.mode === 'netns' ? { [s.tmpfs.node]: s.tmpfs.bytes } : undefined,
  };
  const phases: Record<string, number> = {};
  let mark = Date.now();
  const phase = (name: string) => { const now = Date.now(); phases[name] = now - mark; mark = now; };
  const cluster = await ChaosCluster.start(clusterOptions);
  phase('start');
  const workload = new Workload({
    ...DEFAULT_WORKLOAD, replication: s.replication ?? 3, ...s.workload, namenode: cluster.namenodeAddress,
    dir: `/chaos/${s.name.replace(/[^a-z0-9]+/gi, '-')}`,
  }, rng.fork('workload'));
  cluster.onStop(() => workload.abort());
  let faultPhaseMs = 0;
  let drain = { drainMs: 0, pending: 0 };
  let replicas: ReplicaCheck | undefined;
  let verdict: Verdict | undefined;
  let healedAtMs = Date.now();
  let fsckHealthyAtMs: number | undefined;
  let lastFsck: Fsck | undefined;
  const ctx: ScenarioContext = {
    cluster, workload, rng: rng.fork('faults'), profile, durationMs: options.durationMs, log,
    hold: (ms) => cluster.hold(ms),
    require: (cond, what) => { if (!cond) scenarioFailures.push(`scenario: ${what}`); },
    waitForTransitionOf: (nodeId, to, sinceMs, timeoutMs = 15_000, reason) => cluster.waitForTransition(
      `${nodeId} -> ${to}${reason ? ` (${reason})` : ''}`,
      (t) => t.nodeId === nodeId && t.to === to && t.atMs >= sinceMs - 20 && (reason === undefined || t.reason === reason), timeoutMs),
  };
  try {
    workload.start();
    await cluster.poll('warm-up: 10 acknowledged writes', () => workload.acked().length >= 10, 30_000, 50);
    phase('warmup');
    workload.phase = 'fault';
    const faultStart = Date.now();
    const churn = s.ha ? startChurn(workload, `/chaos-churn/${s.name.replace(/[^a-z0-9]+/gi, '-')}`, rng.fork('churn')) : undefined;
    try {
      await s.faults(ctx);
    } catch (err) {
      scenarioFailures.push(`scenario: fault phase threw: ${(err as Error).message}`);
    }
    if (churn) log(`churn: ${await churn.stop()} scratch files created and deleted (INVALIDATE commands for the epoch check)`);
    faultPhaseMs = Date.now() - faultStart;
    phase('faults');
    healedAtMs = await cluster.healAll();
    drain = await workload.stop(60_000);
    phase('heal');
    // Liveness phase: everyone back and LIVE, then fsck healthy, both within the bound from the heal.
    const deadline = healedAtMs + fsckBoundMs;
    try {
      await cluster.waitForReport('every DataNode LIVE after heal', (r) => r.live === s.datanodes && !r.safeMode, Math.max(1000, deadline - Date.now()));
      lastFsck = await cluster.poll('fsck healthy after heal', async () => {
        const f = await cluster.fsck();
        lastFsck = f;
        return f.healthy ? f : undefined;
      }, Math.max(1000, deadline - Date.now()), 100);
      fsckHealthyAtMs = Date.now();
    } catch (err) {
      log(`liveness: ${(err as Error).message}`);
    }
    phase('liveness');
    if (cluster.isStopped) throw new ClusterStoppedError();
    await finalReadBack(workload);
    replicas = await checkReplicasOnDisk(cluster, workload);
    phase('verify');
  } catch (err) {
    scenarioFailures.push(`crash: ${(err as Error).stack ?? String(err)}`);
  } finally {
    workload.close();
    const endMs = Date.now();
    verdict = check({
      profile, history: workload.history, faults: cluster.faults.records, transitions: cluster.transitions(), nodeIds: cluster.ids,
      healedAtMs, fsckHealthyAtMs, fsckBoundMs, lastFsck, replicas, endMs, verified: replicas !== undefined,
      peerEvidence: s.gossip && { graceMs: s.gossip.graceMs },
    });
    if (s.ha) {
      const ha = checkHa(cluster.haCheckInput(endMs));
      const editsFenced = cluster.haEvents('ha-edit-fenced').length;
      verdict.failures.push(...ha.failures);
      verdict.notes.push(...ha.notes, `HA: epochs ${ha.stats.epochs.join(' -> ')} (${ha.stats.failovers} failovers); DataNodes executed ${ha.stats.executed} commands, fenced ${ha.stats.fenced}; edits committed ${ha.stats.edits}, refused by etcd ${editsFenced}; DEAD from a failover ${ha.stats.deadsFromFailover}`);
      verdict.ok = verdict.failures.length === 0;
    }
  }
  const ok = verdict.ok && scenarioFailures.length === 0;
  const keep = options.keepLogs ?? 'on-failure';
  const logsDir = await cluster.stop(keep === 'always' || (keep === 'on-failure' && !ok));
  const leftovers = cluster.net.leftovers();
  if (leftovers.length) scenarioFailures.push(`harness: left behind ${leftovers.join(', ')}`);
  return {
    name: s.name, seed, mode: options.mode, profile, verdict, scenarioFailures, ok: ok && leftovers.length === 0,
    wallMs: Date.now() - t0, faultPhaseMs, drain, phases, replicas, logsDir, faultLog,
  };
}

// ---------------------------------------------------------------------------------- helpers

async function waitAllLive(ctx: ScenarioContext, timeoutMs = 20_000): Promise<void> {
  await ctx.cluster.waitForReport('all DataNodes LIVE', (r) => r.live === ctx.cluster.ids.length, timeoutMs);
}

/** Silences `victim` with `inject`, requires DEAD, keeps it silenced `holdMs` more, heals with `heal`, requires re-registration. */
async function silenceAndReturn(ctx: ScenarioContext, victim: string, inject: () => Promise<unknown> | unknown, heal: () => Promise<unknown> | unknown,
  holdMs: number, deadTimeout = 10_000): Promise<void> {
  const since = Date.now();
  await inject();
  const dead = await ctx.waitForTransitionOf(victim, 'DEAD', since, deadTimeout);
  ctx.log(`${victim} DEAD after ${dead.atMs - since} ms (${dead.reason}, ${dead.msSinceLastHeartbeat} ms since last heartbeat)`);
  await ctx.hold(holdMs);
  const healAt = Date.now();
  await heal();
  await ctx.waitForTransitionOf(victim, 'LIVE', healAt, 20_000, 'registered');
  ctx.log(`${victim} re-registered ${Date.now() - healAt} ms after heal`);
}

/** The gossip scenarios' settings: SWIM period = the heartbeat interval, 8 s of grace for UNREACHABLE_FROM_NAMENODE. */
const GOSSIP: GossipOptions = { periodMs: CHAOS_PROFILE.heartbeatIntervalMs, graceMs: 8000 };
const UNREACHABLE = 'UNREACHABLE_FROM_NAMENODE';

/** docs/GOSSIP.md's bound for "DEAD at every live member" after a crash, at the DataNodes' --gossip-period-ms (agent ticks: period / 10). */
function gossipDeadBoundMs(g: GossipOptions, members: number): number {
  return deadEverywhereBoundMs(swimConfigForPeriod(g.periodMs), members, g.periodMs / 10);
}

/** Gossip DEAD transitions logged by DataNodes since `sinceMs` (optionally about `memberId`). */
function gossipDeads(ctx: ScenarioContext, sinceMs: number, memberId?: string) {
  return ctx.cluster.memberTransitions().filter((t) => t.to === 'DEAD' && t.atMs >= sinceMs && (memberId === undefined || t.memberId === memberId));
}

/** Replication the NameNode scheduled for any of `blockIds` since `sinceMs`. */
function replicationsOf(ctx: ScenarioContext, blockIds: number[], sinceMs: number, untilMs = Infinity) {
  const ids = new Set(blockIds);
  return ctx.cluster.namenodeEvents('replication-scheduled')
    .filter((l) => ids.has(Number(l.blockId)) && Date.parse(String(l.timestamp)) >= sinceMs && Date.parse(String(l.timestamp)) <= untilMs);
}

/** Cuts `victim` off from the NameNode only (both ways or one way) and requires UNREACHABLE_FROM_NAMENODE, not DEAD, within the bound. */
async function cutFromNameNode(ctx: ScenarioContext, victim: string, kind: 'partition-namenode' | 'partition-to-namenode') {
  const blocks = ctx.cluster.blocksOnDisk(victim);
  const f = await ctx.cluster.partition(victim, kind);
  const t = await ctx.waitForTransitionOf(victim, UNREACHABLE, f.startMs, deadBoundMs(ctx.profile) + 5000);
  const reporters = (ctx.cluster.namenodeEvents('transition').find((l) => l.nodeId === victim && l.to === UNREACHABLE && Date.parse(String(l.timestamp)) >= f.startMs - 20) ?? {}).reporters;
  ctx.log(`${victim} ${UNREACHABLE} after ${t.atMs - f.startMs} ms (${t.reason}; reporters ${JSON.stringify(reporters)}); it holds ${blocks.length} replicas`);
  ctx.require(!ctx.cluster.transitions().some((x) => x.nodeId === victim && x.to === 'DEAD' && x.atMs >= f.startMs - 20 && x.atMs <= t.atMs),
    `${victim} was not DEAD before ${UNREACHABLE}`);
  return { f, t, blocks };
}

// ---------------------------------------------------------------------------------- HA helpers

/**
 * Scratch files created and deleted in a loop (outside the workload's history and directory):
 * every delete makes the active send INVALIDATE commands, so the DataNodes execute commands all
 * through the fault phase and the HA checker has epochs to judge. Failures are ignored.
 */
function startChurn(workload: Workload, dir: string, rng: Prng): { stop(): Promise<number> } {
  const client = workload.newClient();
  let stopping = false;
  let done = 0;
  const loop = (async () => {
    for (let i = 1; !stopping; i++) {
      const path = `${dir}/c${i}`;
      try {
        await client.writeFile(path, rng.bytes(rng.int(1, 4096)));
        await client.delete(path);
        done++;
      } catch { /* a failover or a partition: try the next one */ }
      await new Promise((r) => setTimeout(r, stopping ? 0 : 150));
    }
  })();
  return { async stop() { stopping = true; await Promise.race([loop, new Promise((r) => setTimeout(r, 20_000))]); return done; } };
}

/** Two NameNodes on one etcd member at the default lease TTL. */
const HA: HaOptions = { namenodes: 2, etcdMembers: 1, leaseTtlMs: 2000 };

/**
 * Writes small probe files through the whole group (a client that knows every NameNode; the
 * workload's history records them, so the checker judges them too) until one is acknowledged.
 * Returns when it was.
 */
async function firstAckedWrite(ctx: ScenarioContext, tag: string, timeoutMs = 30_000): Promise<number> {
  const client = probeClients.get(ctx) ?? ctx.workload.newClient();
  probeClients.set(ctx, client);
  const deadline = Date.now() + timeoutMs;
  for (let i = 1; Date.now() < deadline; i++) {
    const op = await ctx.workload.write(client, 'probe', `${ctx.workload.options.dir}/probe/${tag}-${i}`, ctx.rng.bytes(ctx.rng.int(1, 8192)));
    if (op.ok) return op.endMs!;
    ctx.log(`probe write ${tag}-${i} failed: ${op.error}`);
  }
  throw new Error(`no write acknowledged within ${timeoutMs} ms (${tag})`);
}
const probeClients = new WeakMap<ScenarioContext, ReturnType<Workload['newClient']>>();

/** kill -9 of the active; returns the old and new active and the time from the kill to the first acknowledged write. */
async function killActive(ctx: ScenarioContext, tag: string): Promise<{ old: string; next: string; failoverMs: number; electedMs: number }> {
  const c = ctx.cluster;
  const old = await c.waitForActive('an active NameNode');
  const oldEpoch = c.epochOf(old);
  const f = await c.killHaNameNode(old);
  const ackAt = await firstAckedWrite(ctx, tag);
  const next = c.activeId() ?? '?';
  const elected = c.haEvents('ha-role').find((l) => l.atMs >= f.startMs && l.namenode !== old);
  const electedMs = elected ? elected.atMs - f.startMs : Number.NaN;
  ctx.require(next !== old && next !== '?' && c.epochOf(next) > oldEpoch, `${tag}: another NameNode took over with a higher epoch (${old}@${oldEpoch} -> ${next}@${next === '?' ? '-' : c.epochOf(next)})`);
  ctx.log(`${tag}: ${old} (epoch ${oldEpoch}) killed; ${next} active (epoch ${c.epochOf(next)}) after ${electedMs} ms, first acknowledged write after ${ackAt - f.startMs} ms`);
  return { old, next, failoverMs: ackAt - f.startMs, electedMs };
}

/** Waits until the current process of NameNode `id` follows the active as a STANDBY (`ha-follow`), started after `lifeBefore` lives. */
async function waitStandby(ctx: ScenarioContext, id: string, lifeBefore: number, timeoutMs = 30_000): Promise<HostProcess> {
  const n = ctx.cluster.haNamenodes.get(id)!;
  const p = await ctx.cluster.poll(`${id} back as a STANDBY`, () => {
    const cur = n.lives.at(-1)!;
    return n.lives.length > lifeBefore && cur.alive && cur.lines.some((l) => l.event === 'ha-follow') ? cur : undefined;
  }, timeoutMs, 50);
  ctx.require(ctx.cluster.activeId() !== id, `${id} came back as a STANDBY, not ACTIVE`);
  return p;
}

/** The HA group's DataNodes are all LIVE at the active and, here, at every NameNode process that is running. */
async function allLiveEverywhere(ctx: ScenarioContext, timeoutMs = 20_000): Promise<void> {
  const c = ctx.cluster;
  await c.waitForReport('all DataNodes LIVE at the active', (r) => r.live === c.ids.length, timeoutMs);
}

/**
 * kill -9 of one etcd member of three, the raft leader or a follower (asked of etcd just before;
 * the seed picks among the followers): two members keep the quorum, so the active must keep its
 * lease, nobody is elected, and writes go on. The member is restarted on its data dir and rejoins.
 */
async function killEtcdMember(ctx: ScenarioContext, which: 'leader' | 'follower'): Promise<void> {
  const c = ctx.cluster;
  await ctx.hold(ctx.rng.int(300, 1200));
  const active = await c.waitForActive('an active NameNode');
  const epoch = c.epochOf(active);
  const leader = await c.poll('the etcd leader', () => c.etcdLeader(), 10_000, 200);
  const victim = which === 'leader' ? leader : ctx.rng.pick([...c.etcds.keys()].filter((id) => id !== leader));
  ctx.log(`etcd leader: ${leader}; killing ${victim} (${which})`);
  const f = await c.killEtcd(victim);
  const ackedBefore = ctx.workload.acked().length;
  await ctx.hold(2 * c.options.ha!.leaseTtlMs + ctx.rng.int(1000, 3000));
  const ackedDuring = ctx.workload.acked().length - ackedBefore;
  const elections = c.haEvents('ha-elected').filter((l) => l.atMs >= f.startMs);
  const deposed = c.haEvents('ha-deposed').filter((l) => l.atMs >= f.startMs);
  const now = c.activeId();
  ctx.log(`${victim} down: ${ackedDuring} writes acknowledged, active ${now} (epoch ${now ? c.epochOf(now) : '-'}), elections ${elections.length}` +
    `${deposed.length ? `, deposed: ${deposed.map((l) => `${l.namenode} after ${l.atMs - f.startMs} ms (${l.reason})`).join(', ')}` : ''}`);
  ctx.require(now === active && c.epochOf(active) === epoch, `${active} stays active at epoch ${epoch} with ${victim} down`);
  ctx.require(elections.length === 0, `no failover with 2 of 3 etcd members up (${elections.map((l) => `${l.namenode}@${l.epoch}`).join(', ')})`);
  ctx.require(ackedDuring > 0, 'writes acknowledged while one etcd member is down');
  await c.restartEtcd(victim);
  await ctx.hold(ctx.rng.int(1000, 2000));
  ctx.require(c.activeId() === active, `${active} still active after ${victim} rejoined`);
}

/** kill -9 the active `count` times in a row under the workload, restarting each as a standby; logs the failover times. */
async function failovers(ctx: ScenarioContext, count: number): Promise<void> {
  const times: number[] = [];
  const elected: number[] = [];
  for (let i = 1; i <= count; i++) {
    const r = await killActive(ctx, `failover ${i}/${count}`);
    times.push(r.failoverMs);
    elected.push(r.electedMs);
    const lives = ctx.cluster.haNamenodes.get(r.old)!.lives.length;
    await ctx.cluster.restartHaNameNode(r.old);
    await waitStandby(ctx, r.old, lives);
    await allLiveEverywhere(ctx);
    await ctx.hold(ctx.rng.int(300, 1000));
  }
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
  ctx.log(`${count} failovers: kill -9 -> first acknowledged write p50 ${q(times, 50)} ms, p99 ${q(times, 99)} ms, max ${Math.max(...times)} ms; ` +
    `kill -> new active p50 ${q(elected, 50)} ms (lease TTL ${ctx.cluster.options.ha!.leaseTtlMs} ms)`);
}

// ---------------------------------------------------------------------------------- scenarios

export const SCENARIOS: Scenario[] = [
  {
    name: 'kill one DataNode',
    summary: 'kill -9 one DataNode under load; DEAD within the bound, blocks re-replicated, restart trims the excess',
    needs: [], datanodes: 4, timeoutMs: 120_000, ci: true,
    async faults(ctx) {
      const victim = ctx.rng.pick(ctx.cluster.ids);
      const f = await ctx.cluster.kill(victim);
      await ctx.waitForTransitionOf(victim, 'DEAD', f.startMs);
      await ctx.hold(ctx.rng.int(2000, 4000));
    },
  },
  {
    name: 'kill two DataNodes at once',
    summary: 'kill -9 two of five DataNodes at the same moment; nothing lost at replication 3',
    needs: [], datanodes: 5, timeoutMs: 120_000, ci: true,
    async faults(ctx) {
      const [a, b] = ctx.rng.shuffle(ctx.cluster.ids);
      const faults = await Promise.all([ctx.cluster.kill(a!), ctx.cluster.kill(b!)]);
      await Promise.all([a!, b!].map((id, i) => ctx.waitForTransitionOf(id, 'DEAD', faults[i]!.startMs)));
      await ctx.hold(ctx.rng.int(2000, 4000));
    },
  },
  {
    name: 'pause one DataNode past the dead timeout, then resume',
    summary: 'SIGSTOP until DEAD (missed beats), SIGCONT: REREGISTER and LIVE again',
    needs: [], datanodes: 4, timeoutMs: 120_000, ci: true,
    async faults(ctx) {
      const victim = ctx.rng.pick(ctx.cluster.ids);
      const from = ctx.cluster.dn(victim).lines.length;
      await silenceAndReturn(ctx, victim, () => ctx.cluster.pause(victim), () => ctx.cluster.resume(victim), ctx.rng.int(500, 2000));
      await ctx.cluster.dn(victim).waitForLine('reregister command', (l) => l.event === 'reregister', 10_000, from);
      await waitAllLive(ctx);
    },
  },
  {
    name: 'partition one DataNode from the NameNode only',
    summary: 'iptables DROP between one DataNode and the NameNode (it still reaches DataNodes and clients)',
    needs: ['partition'], datanodes: 4, timeoutMs: 120_000, ci: true,
    async faults(ctx) {
      const victim = ctx.rng.pick(ctx.cluster.ids);
      await silenceAndReturn(ctx, victim, () => ctx.cluster.partition(victim, 'partition-namenode'), () => ctx.cluster.healPartition(victim), ctx.rng.int(1500, 3000));
      await waitAllLive(ctx);
    },
  },
  {
    name: 'NameNode paused for 3x the dead timeout',
    summary: 'SIGSTOP the NameNode for 3 × deadAfter × interval; on resume the stall guard declares nobody DEAD',
    needs: [], datanodes: 4, timeoutMs: 120_000, ci: true,
    async faults(ctx) {
      const since = Date.now();
      ctx.cluster.pauseNameNode();
      await ctx.hold(3 * deadTimeoutMs(ctx.profile));
      ctx.cluster.resumeNameNode();
      // Watch five dead timeouts after the resume for a late misjudgement.
      await ctx.hold(5 * deadTimeoutMs(ctx.profile));
      const deads = ctx.cluster.transitions().filter((t) => t.to === 'DEAD' && t.atMs >= since);
      ctx.require(deads.length === 0, `nobody DEAD after a NameNode pause; got ${deads.map((t) => `${t.nodeId}@${t.timestamp}`).join(', ')}`);
    },
  },
  {
    name: '5% loss on every link: zero false DEADs',
    summary: 'iptables statistic drops 5% of packets on every link (both ways, client included) for 20 s under load',
    needs: ['loss'], datanodes: 4, timeoutMs: 150_000, ci: true,
    async faults(ctx) {
      const since = Date.now();
      await ctx.cluster.loss(0.05);
      await ctx.hold(ctx.durationMs ?? 20_000);
      await ctx.cluster.healLoss();
      const transitions = ctx.cluster.transitions().filter((t) => t.atMs >= since);
      ctx.log(`under loss: ${transitions.filter((t) => t.to === 'STALE').length} STALE, ${transitions.filter((t) => t.to === 'DEAD').length} DEAD transitions`);
    },
  },
  {
    name: 'rolling restart of all DataNodes',
    summary: 'SIGTERM (goodbye) and restart each DataNode in turn while the workload runs',
    needs: [], datanodes: 4, timeoutMs: 150_000, ci: true,
    async faults(ctx) {
      for (const id of ctx.cluster.ids) {
        await ctx.cluster.stopDataNode(id);
        await ctx.cluster.restartDataNode(id);
        await waitAllLive(ctx);
        await ctx.hold(ctx.rng.int(300, 1000));
      }
      const goodbyes = ctx.cluster.transitions().filter((t) => t.to === 'DEAD' && t.reason === 'goodbye').length;
      ctx.require(goodbyes >= ctx.cluster.ids.length, `every stopped DataNode said goodbye (${goodbyes} of ${ctx.cluster.ids.length})`);
    },
  },
  {
    name: 'kill a DataNode during a large write',
    summary: 'kill -9 a pipeline node in the middle of a 32 MiB write (8 MiB blocks); the write still succeeds and reads back',
    needs: [], datanodes: 4, timeoutMs: 150_000, ci: true,
    async faults(ctx) {
      const client = ctx.workload.newClient();
      const data = ctx.rng.fork('large').bytes(32 * 1024 * 1024);
      let kill: Promise<unknown> | undefined;
      let victim: string | undefined;
      const position = ctx.rng.int(0, 2);
      const op = await ctx.workload.write(client, 'large', '/chaos/large/file', data, { blockSizeBytes: 8 * 1024 * 1024 }, (stream: DfsWriteStream) => {
        stream.on('pipeline', (e) => {
          if (e.blockIndex !== 1 || e.attempt !== 1 || kill) return;
          victim = e.nodeIds[Math.min(position, e.nodeIds.length - 1)];
          ctx.log(`large write: block 1 pipeline ${e.nodeIds.join(' -> ')}; killing ${victim} in 15 ms`);
          kill = new Promise((r) => setTimeout(r, 15)).then(() => ctx.cluster.kill(victim!));
        });
      });
      await kill;
      const stats = client.lastWriteStats!;
      ctx.log(`large write: ${op.ok ? 'acknowledged' : `FAILED ${op.error}`} in ${op.endMs! - op.startMs} ms; pipelines abandoned ${stats.pipelinesAbandoned}, excluded ${stats.excludedNodes.join(',') || '-'}`);
      ctx.require(op.ok === true, `the large write is acknowledged (${op.error ?? ''})`);
      ctx.require(kill !== undefined, 'a node was killed during the large write');
      ctx.require(stats.pipelinesAbandoned >= 1 && stats.excludedNodes.includes(victim!), `the kill hit the write's pipeline (abandoned ${stats.pipelinesAbandoned}, excluded ${stats.excludedNodes.join(',')})`);
      await ctx.hold(1000);
    },
  },
  {
    name: 'corrupt a replica',
    summary: 'flip bytes in one replica\'s block file; reads never return them, the replica is reported, replaced and deleted',
    needs: [], datanodes: 4, timeoutMs: 120_000, ci: true,
    async faults(ctx) {
      const candidates = ctx.workload.acked().filter((f) => f.data.length > BLOCK);
      const file = ctx.rng.pick(candidates);
      const client = ctx.workload.newClient();
      const { blocks } = await client.getBlockLocations(file.path);
      const block = ctx.rng.pick(blocks);
      const holder = ctx.rng.pick(block.locations).nodeId;
      ctx.cluster.corruptReplica(holder, block.blockId, ctx.rng.int(0, block.lengthBytes - 1));
      // A read finds it (or the DataNode's block scanner, 1 MiB/s by default, does first). Read until a read has hit the corrupt copy (replica order is shuffled).
      let reads = 0;
      const reported = () => ctx.cluster.namenodeEvents('corrupt-replica').some((l) => l.blockId === block.blockId && l.nodeId === holder);
      while (!reported() && reads < 60) {
        await ctx.workload.read(client, 'scrubber', file.path);
        reads++;
      }
      ctx.log(`corrupt replica of blk_${block.blockId} on ${holder} ${reported() ? `reported after ${reads} reads` : `NOT reported after ${reads} reads`}`);
      ctx.require(reported(), `the corrupt replica of blk_${block.blockId} on ${holder} was reported`);
      await ctx.cluster.poll('corrupt replica replaced', async () => (await ctx.cluster.fsck()).healthy, 30_000, 100);
    },
  },
  {
    name: 'full partition of one DataNode',
    summary: 'a DataNode cut off from everyone (NameNode, DataNodes, clients), then healed',
    needs: ['partition'], datanodes: 4, timeoutMs: 120_000, ci: true,
    async faults(ctx) {
      const victim = ctx.rng.pick(ctx.cluster.ids);
      await silenceAndReturn(ctx, victim, () => ctx.cluster.partition(victim, 'partition-full'), () => ctx.cluster.healPartition(victim), ctx.rng.int(1500, 3000));
      await waitAllLive(ctx);
    },
  },
  {
    name: 'one-way partition: NameNode to DataNode dropped',
    summary: 'the NameNode\'s packets to one DataNode are dropped; its heartbeat stream stalls, it is declared DEAD, heals',
    needs: ['partition'], datanodes: 4, timeoutMs: 120_000, ci: true,
    async faults(ctx) {
      const victim = ctx.rng.pick(ctx.cluster.ids);
      await silenceAndReturn(ctx, victim, () => ctx.cluster.partition(victim, 'partition-from-namenode'), () => ctx.cluster.healPartition(victim), ctx.rng.int(1000, 2000), 20_000);
      await waitAllLive(ctx);
    },
  },
  {
    name: 'NameNode kill -9 and restart under load',
    summary: 'the NameNode is killed and restarted on its data dir; safe mode, re-registration, no acknowledged file lost',
    needs: [], datanodes: 4, timeoutMs: 120_000, ci: true,
    async faults(ctx) {
      await ctx.hold(ctx.rng.int(500, 1500));
      await ctx.cluster.restartNameNode();
      await ctx.cluster.waitForReport('all DataNodes back, safe mode off', (r) => r.live === ctx.cluster.ids.length && !r.safeMode, 30_000);
      await ctx.hold(ctx.rng.int(1000, 2000));
    },
  },
  {
    name: 'a DataNode\'s disk fills up',
    summary: 'one DataNode\'s data disk (a 96 MiB tmpfs) is filled; writes go elsewhere, it stays LIVE, nothing lost',
    needs: ['disk-full'], datanodes: 4, timeoutMs: 120_000, ci: true, tmpfs: { node: 'dn2', bytes: 96 * 1024 * 1024 },
    async faults(ctx) {
      const victim = 'dn2';
      ctx.cluster.fillDisk(victim);
      await ctx.cluster.waitForReport(`${victim} reports less than a block free`, (r) => (r.datanodes.find((d) => d.id === victim)?.remainingBytes ?? Infinity) < BLOCK, 10_000);
      const ackedBefore = ctx.workload.acked().length;
      await ctx.hold(ctx.rng.int(3000, 5000));
      const ackedDuring = ctx.workload.acked().length - ackedBefore;
      ctx.log(`disk full on ${victim}: ${ackedDuring} writes acknowledged meanwhile`);
      ctx.require(ackedDuring > 0, 'writes keep being acknowledged while one disk is full');
      ctx.require(ctx.cluster.dn(victim).alive, `${victim} survives a full disk`);
      ctx.cluster.freeDisk(victim);
    },
  },
  {
    name: 'heartbeat delay below the dead timeout',
    summary: 'one DataNode\'s NameNode link delayed by (deadAfter − 2) intervals each way (TCP proxy); never DEAD',
    needs: [], datanodes: 4, timeoutMs: 120_000, ci: true, delayProxy: true,
    async faults(ctx) {
      const victim = ctx.rng.pick(ctx.cluster.ids);
      await ctx.cluster.delay(victim, (ctx.profile.deadAfter - 2) * ctx.profile.heartbeatIntervalMs);
      await ctx.hold(ctx.rng.int(4000, 6000));
      await ctx.cluster.delay(victim, 0);
    },
  },
  {
    name: 'gossip: NameNode-only partition shorter than the grace',
    summary: `DataNodes gossip; one is cut off from the NameNode only for 3-5 s: ${UNREACHABLE}, never DEAD, none of its blocks re-replicated, LIVE on heal`,
    needs: ['partition'], datanodes: 4, timeoutMs: 120_000, ci: true, gossip: GOSSIP,
    async faults(ctx) {
      const victim = ctx.rng.pick(ctx.cluster.ids);
      const { f, blocks } = await cutFromNameNode(ctx, victim, 'partition-namenode');
      await ctx.hold(Math.max(0, f.startMs + ctx.rng.int(3000, 5000) - Date.now()));
      const views = await Promise.all(ctx.cluster.ids.filter((id) => id !== victim).map(async (id) => [id, (await ctx.cluster.membership(id)).find((m) => m.id === victim)?.state] as const));
      ctx.log(`peers' views of ${victim} during the partition: ${views.map(([id, st]) => `${id}=${st}`).join(' ')}`);
      ctx.require(views.every(([, st]) => st === 'ALIVE' || st === 'SUSPECT'), `every peer still holds ${victim} ALIVE (${views.map(([id, st]) => `${id}=${st}`).join(' ')})`);
      const healAt = Date.now();
      await ctx.cluster.healPartition(victim);
      const live = await ctx.waitForTransitionOf(victim, 'LIVE', healAt, 20_000);
      ctx.log(`${victim} LIVE ${live.atMs - healAt} ms after heal (${live.reason})`);
      const deads = ctx.cluster.transitions().filter((t) => t.nodeId === victim && t.to === 'DEAD' && t.atMs >= f.startMs);
      ctx.require(deads.length === 0, `${victim} never DEAD during a partition shorter than the grace (got ${deads.map((d) => d.reason).join(', ')})`);
      const copies = replicationsOf(ctx, blocks, f.startMs);
      ctx.require(copies.length === 0, `none of ${victim}'s ${blocks.length} blocks re-replicated (got ${copies.length})`);
      await waitAllLive(ctx);
    },
  },
  {
    name: 'gossip: NameNode-only partition past the grace',
    summary: `one DataNode cut off from the NameNode only: ${UNREACHABLE} within the bound, DEAD only once the grace has passed, then re-replicated`,
    needs: ['partition'], datanodes: 4, timeoutMs: 150_000, ci: true, gossip: GOSSIP,
    async faults(ctx) {
      const victim = ctx.rng.pick(ctx.cluster.ids);
      const { f, t, blocks } = await cutFromNameNode(ctx, victim, 'partition-namenode');
      const grace = GOSSIP.graceMs;
      const dead = await ctx.waitForTransitionOf(victim, 'DEAD', t.atMs, grace + deadBoundMs(ctx.profile) + 5000);
      ctx.log(`${victim} DEAD ${dead.atMs - t.atMs} ms after ${UNREACHABLE} (${dead.reason}; grace ${grace} ms)`);
      ctx.require(dead.atMs - t.atMs >= grace - ctx.profile.heartbeatIntervalMs, `DEAD no earlier than the grace (${dead.atMs - t.atMs} ms < ${grace} ms)`);
      const early = replicationsOf(ctx, blocks, f.startMs, dead.atMs - 50);
      ctx.require(early.length === 0, `none of ${victim}'s blocks re-replicated within the grace (got ${early.length})`);
      if (blocks.length > 0) {
        await ctx.cluster.poll(`re-replication of ${victim}'s blocks after the grace`, () => replicationsOf(ctx, blocks, dead.atMs - 50).length > 0, 15_000, 100);
      }
      const healAt = Date.now();
      await ctx.cluster.healPartition(victim);
      await ctx.waitForTransitionOf(victim, 'LIVE', healAt, 20_000, 'registered');
      await waitAllLive(ctx);
    },
  },
  {
    name: 'gossip: kill one DataNode',
    summary: 'with gossip on, kill -9 is still DEAD at the NameNode within the usual bound (peers cannot hear it either) and DEAD in every peer\'s view within the gossip bound',
    needs: [], datanodes: 4, timeoutMs: 120_000, ci: true, gossip: GOSSIP,
    async faults(ctx) {
      const victim = ctx.rng.pick(ctx.cluster.ids);
      const peers = ctx.cluster.ids.filter((id) => id !== victim);
      const f = await ctx.cluster.kill(victim);
      const dead = await ctx.waitForTransitionOf(victim, 'DEAD', f.startMs);
      ctx.log(`${victim} DEAD at the NameNode after ${dead.atMs - f.startMs} ms (${dead.reason})`);
      const unreachable = ctx.cluster.transitions().filter((t) => t.nodeId === victim && t.to === UNREACHABLE && t.atMs >= f.startMs);
      ctx.require(unreachable.length === 0, `a killed node is not held ${UNREACHABLE}`);
      const bound = gossipDeadBoundMs(GOSSIP, ctx.cluster.ids.length);
      await ctx.cluster.poll(`${victim} DEAD in every peer's gossip view`, async () => {
        const views = await Promise.all(peers.map((id) => ctx.cluster.membership(id)));
        return views.every((v) => ['DEAD', undefined].includes(v.find((m) => m.id === victim)?.state));
      }, bound + 10_000, 50);
      const agreedMs = Date.now() - f.startMs;
      const logged = peers.map((id) => gossipDeads(ctx, f.startMs, victim).find((t) => t.observer === id)?.atMs);
      const lastLogged = Math.max(...logged.map((at) => (at ?? Infinity) - f.startMs));
      ctx.log(`${victim} DEAD in every peer's view after ${lastLogged} ms by their logs (seen by polling after ${agreedMs} ms); bound ${Math.round(bound)} ms`);
      ctx.require(lastLogged <= bound + 500, `every peer logged ${victim} DEAD within the gossip bound ${Math.round(bound)} ms + 500 ms scheduling slack (${lastLogged} ms)`);
      const others = gossipDeads(ctx, f.startMs).filter((t) => t.memberId !== victim);
      ctx.require(others.length === 0, `no other member declared DEAD by gossip (${others.map((t) => `${t.observer}:${t.memberId}`).join(', ')})`);
      await ctx.hold(ctx.rng.int(1000, 2000));
    },
  },
  {
    name: 'gossip: asymmetric partitions',
    summary: `one DataNode's packets to the NameNode dropped (${UNREACHABLE}, not DEAD); one DataNode's packets to another dropped (no gossip DEAD, NameNode unaffected)`,
    needs: ['partition'], datanodes: 4, timeoutMs: 150_000, ci: true, gossip: GOSSIP,
    async faults(ctx) {
      const [victim, a, b] = ctx.rng.shuffle(ctx.cluster.ids);
      const { f, blocks } = await cutFromNameNode(ctx, victim!, 'partition-to-namenode');
      await ctx.hold(Math.max(0, f.startMs + 3000 - Date.now()));
      const healAt = Date.now();
      await ctx.cluster.healPartition(victim!);
      await ctx.waitForTransitionOf(victim!, 'LIVE', healAt, 20_000);
      ctx.require(replicationsOf(ctx, blocks, f.startMs).length === 0, `none of ${victim}'s blocks re-replicated`);
      await waitAllLive(ctx);
      // One-way between two DataNodes: a's probes of b go unanswered, indirect probes through the others succeed.
      const since = Date.now();
      await ctx.cluster.partitionPeer(a!, b!);
      await ctx.hold(ctx.rng.int(5000, 7000));
      await ctx.cluster.healPartition(`${a}->${b}`);
      const suspects = ctx.cluster.memberTransitions().filter((t) => t.to === 'SUSPECT' && t.atMs >= since).length;
      ctx.log(`${a} -> ${b} dropped: ${suspects} gossip SUSPECT transitions, ${gossipDeads(ctx, since).length} DEAD`);
      ctx.require(gossipDeads(ctx, since).length === 0, `no gossip DEAD during a one-way DataNode-to-DataNode drop (${gossipDeads(ctx, since).map((t) => `${t.observer}:${t.memberId}`).join(', ')})`);
      const nn = ctx.cluster.transitions().filter((t) => t.atMs >= since && (t.to === 'DEAD' || t.to === UNREACHABLE));
      ctx.require(nn.length === 0, `the NameNode saw no DEAD or ${UNREACHABLE} (${nn.map((t) => `${t.nodeId}:${t.to}`).join(', ')})`);
    },
  },
  {
    name: 'gossip: 5% loss on every link: zero false DEADs',
    summary: 'DataNodes gossip under 5% loss on every link for 20 s: no DEAD at the NameNode (checker) and no DEAD in any peer\'s gossip view',
    needs: ['loss'], datanodes: 4, timeoutMs: 150_000, ci: true, gossip: GOSSIP,
    async faults(ctx) {
      const since = Date.now();
      await ctx.cluster.loss(0.05);
      await ctx.hold(ctx.durationMs ?? 20_000);
      await ctx.cluster.healLoss();
      const gossip = ctx.cluster.memberTransitions().filter((t) => t.atMs >= since);
      const nn = ctx.cluster.transitions().filter((t) => t.atMs >= since);
      ctx.log(`under loss: NameNode ${nn.filter((t) => t.to === 'STALE').length} STALE, ${nn.filter((t) => t.to === UNREACHABLE).length} ${UNREACHABLE}, ` +
        `${nn.filter((t) => t.to === 'DEAD').length} DEAD; gossip ${gossip.filter((t) => t.to === 'SUSPECT').length} SUSPECT, ` +
        `${gossip.filter((t) => t.reason === 'refuted').length} refuted, ${gossip.filter((t) => t.to === 'DEAD').length} DEAD`);
      ctx.require(gossip.filter((t) => t.to === 'DEAD').length === 0, `no gossip DEAD under 5% loss (${gossip.filter((t) => t.to === 'DEAD').map((t) => `${t.observer}:${t.memberId}`).join(', ')})`);
    },
  },
  {
    name: 'HA: kill -9 of the active',
    summary: 'the active NameNode is killed under load; the standby takes over, writes go on, the old one restarts as a STANDBY; no DataNode DEAD, one epoch at a time',
    needs: ['partition'], ha: HA, datanodes: 3, timeoutMs: 120_000, ci: true,
    async faults(ctx) {
      await ctx.hold(ctx.rng.int(300, 1200));
      const { old } = await killActive(ctx, 'kill -9');
      await ctx.hold(ctx.rng.int(500, 1500));
      const lives = ctx.cluster.haNamenodes.get(old)!.lives.length;
      await ctx.cluster.restartHaNameNode(old);
      await waitStandby(ctx, old, lives);
      await allLiveEverywhere(ctx);
      await ctx.hold(ctx.rng.int(1000, 2000));
    },
  },
  {
    name: 'HA: SIGSTOP of the active past the lease',
    summary: 'the active is paused past its lease; the standby takes over; on SIGCONT the old one acts on nothing (its commands fenced or withheld, its edits refused) and exits 75; the supervisor restarts it as a STANDBY',
    needs: ['partition'], ha: HA, datanodes: 3, timeoutMs: 120_000, ci: true,
    async faults(ctx) {
      const c = ctx.cluster;
      await ctx.hold(ctx.rng.int(300, 1200));
      const old = await c.waitForActive('an active NameNode');
      const oldEpoch = c.epochOf(old);
      const f = c.pauseHaNameNode(old);
      const next = await c.waitForActive('another NameNode active', [old]);
      const ackAt = await firstAckedWrite(ctx, 'during pause');
      ctx.log(`${next} active (epoch ${c.epochOf(next)}) while ${old} is stopped; first acknowledged write ${ackAt - f.startMs} ms after SIGSTOP`);
      // Paused well past the lease, with the new active commanding the DataNodes meanwhile.
      await ctx.hold(Math.max(0, f.startMs + c.options.ha!.leaseTtlMs + ctx.rng.int(2000, 4000) - Date.now()));
      const proc = c.haProcess(old);
      const linesBefore = proc.lines.length;
      const lives = c.haNamenodes.get(old)!.lives.length;
      c.resumeHaNameNode(old);
      await ctx.cluster.poll(`${old} to exit after SIGCONT`, () => !proc.alive, 15_000, 20);
      const after = proc.lines.slice(linesBefore);
      ctx.log(`${old} after SIGCONT: ${after.map((l) => l.event).filter(Boolean).join(', ')}; exit ${JSON.stringify(proc.exit)}`);
      ctx.require(proc.exit?.code === 75, `${old} exited 75 after SIGCONT (got ${JSON.stringify(proc.exit)})`);
      ctx.require(after.some((l) => l.event === 'ha-deposed' || l.event === 'ha-fenced-exit'), `${old} logged its deposition`);
      ctx.require(!after.some((l) => l.event === 'ha-role'), `${old} did not claim ACTIVE again after SIGCONT`);
      ctx.require(c.epochOf(next) > oldEpoch, `the new epoch ${c.epochOf(next)} is higher than ${oldEpoch}`);
      await waitStandby(ctx, old, lives);
      await allLiveEverywhere(ctx);
      await ctx.hold(ctx.rng.int(1000, 2000));
    },
  },
  {
    name: 'HA: active cut from etcd',
    summary: 'the active\'s host loses etcd but not the DataNodes or clients: it stops acting within its lease and exits 75, the other takes over; after the heal the old one is a STANDBY',
    needs: ['partition'], ha: HA, datanodes: 3, timeoutMs: 150_000, ci: true,
    async faults(ctx) {
      const c = ctx.cluster;
      const ttl = c.options.ha!.leaseTtlMs;
      await ctx.hold(ctx.rng.int(300, 1200));
      const old = await c.waitForActive('an active NameNode');
      const oldEpoch = c.epochOf(old);
      const proc = c.haProcess(old);
      const lives = c.haNamenodes.get(old)!.lives.length;
      const f = await c.partitionNameNode(old, 'partition-etcd');
      const next = await c.waitForActive('another NameNode active', [old], 20_000);
      // It stops acting (ha-suspended, or ha-deposed) when its lease validity passes, and exits
      // (ha-deposed) once DEPOSE_AFTER_TTLS further TTLs bring no answer from etcd.
      const stopped = await proc.waitForLine('ha-suspended or ha-deposed', (l) => l.event === 'ha-suspended' || l.event === 'ha-deposed', 10_000).catch(() => undefined);
      const stoppedMs = stopped ? Date.parse(String(stopped.timestamp)) - f.startMs : Number.NaN;
      const deposed = await proc.waitForLine('ha-deposed', (l) => l.event === 'ha-deposed', 15_000).catch(() => undefined);
      const deposedMs = deposed ? Date.parse(String(deposed.timestamp)) - f.startMs : Number.NaN;
      const promoted = c.haEvents('ha-role').find((l) => l.namenode === next && l.atMs >= f.startMs);
      ctx.log(`${old} cut from etcd: stopped acting after ${stoppedMs} ms, deposed itself after ${deposedMs} ms (${deposed?.reason}); ${next} active (epoch ${c.epochOf(next)}) after ${promoted ? promoted.atMs - f.startMs : '?'} ms`);
      // Stops acting within the lease: the keepalive tick (TTL/4) notices the validity has passed.
      ctx.require(stoppedMs <= ttl + ttl / 4 + 250, `${old} stopped acting within the lease (+ one keepalive tick): ${stoppedMs} ms <= ${ttl + ttl / 4 + 250} ms`);
      ctx.require(!promoted || !stopped || Date.parse(String(stopped.timestamp)) <= promoted.atMs, `${old} stopped acting before ${next} was promoted`);
      const deposeBoundMs = (1 + DEPOSE_AFTER_TTLS) * ttl + ttl / 4 + 250;
      ctx.require(deposedMs <= deposeBoundMs, `${old} stepped down ${DEPOSE_AFTER_TTLS} TTLs later: ${deposedMs} ms <= ${deposeBoundMs} ms`);
      ctx.require(c.epochOf(next) > oldEpoch, `the new epoch ${c.epochOf(next)} is higher than ${oldEpoch}`);
      await firstAckedWrite(ctx, 'after etcd cut');
      await ctx.hold(ctx.rng.int(1000, 3000));
      await c.healPartition(`${old}:partition-etcd`);
      await waitStandby(ctx, old, lives, 40_000);
      await allLiveEverywhere(ctx);
      await ctx.hold(ctx.rng.int(1000, 2000));
    },
  },
  {
    name: 'HA: active cut from the DataNodes',
    summary: 'the active\'s host loses every DataNode but not etcd or clients: it stays active (etcd hears it), declares them DEAD, cannot place a block (writes fail until the heal), schedules nothing and deletes nothing; no acknowledged write lost',
    needs: ['partition'], ha: HA, datanodes: 3, timeoutMs: 150_000, ci: true,
    async faults(ctx) {
      const c = ctx.cluster;
      await ctx.hold(ctx.rng.int(300, 1200));
      const old = await c.waitForActive('an active NameNode');
      const oldEpoch = c.epochOf(old);
      const standby = c.haIds.find((id) => id !== old)!;
      const ackedBefore = ctx.workload.acked().length;
      const f = await c.partitionNameNode(old, 'partition-datanodes');
      const deads = await c.poll(`every DataNode DEAD at ${old}`, () => {
        const d = c.transitions().filter((t) => t.namenode === old && t.to === 'DEAD' && t.atMs >= f.startMs);
        return new Set(d.map((t) => t.nodeId)).size === c.ids.length ? d : undefined;
      }, 15_000, 50);
      ctx.log(`${old} cut from the DataNodes: all DEAD there after ${Math.max(...deads.map((t) => t.atMs)) - f.startMs} ms`);
      await ctx.hold(ctx.rng.int(3000, 5000));
      const ackedDuring = ctx.workload.acked().length - ackedBefore;
      const scheduled = c.namenodeEvents('replication-scheduled').filter((l) => Date.parse(String(l.timestamp)) >= f.startMs).length;
      ctx.log(`during the cut: ${old} still active (${c.activeId()}), ${ackedDuring} writes acknowledged, ${scheduled} replications scheduled`);
      ctx.require(c.activeId() === old && c.epochOf(old) === oldEpoch, `${old} stays active at epoch ${oldEpoch} (etcd still hears it)`);
      ctx.require(!c.haEvents('ha-role').some((l) => l.namenode === standby && l.atMs >= f.startMs), `${standby} was not promoted`);
      const standbyDeads = c.transitions().filter((t) => t.namenode === standby && t.to === 'DEAD' && t.atMs >= f.startMs);
      ctx.require(standbyDeads.length === 0, `the standby ${standby} still hears every DataNode (DEAD there: ${standbyDeads.map((t) => t.nodeId).join(', ')})`);
      const failed = ctx.workload.history.filter((o) => o.startMs >= f.startMs && o.ok === false && o.worker !== 'probe');
      const kinds = new Map<string, number>();
      for (const o of failed) {
        const k = `${o.kind} ${(o.error ?? '').split(':')[0]}`;
        kinds.set(k, (kinds.get(k) ?? 0) + 1);
      }
      ctx.log(`failed operations during the cut: ${[...kinds].map(([k, n]) => `${n} × ${k}`).join('; ') || 'none'}`);
      const healAt = Date.now();
      await c.healPartition(`${old}:partition-datanodes`);
      await allLiveEverywhere(ctx, 30_000);
      ctx.log(`after the heal: every DataNode LIVE at ${old} again after ${Date.now() - healAt} ms`);
      await firstAckedWrite(ctx, 'after DataNode cut healed');
      await ctx.hold(ctx.rng.int(1000, 2000));
    },
  },
  {
    name: 'HA: one of three etcd members killed (a follower)',
    summary: 'a 3-member etcd cluster loses a follower (kill -9) under load: the quorum and its leader hold, the active keeps its lease, no failover, writes go on; the member rejoins',
    needs: ['partition'], ha: { ...HA, etcdMembers: 3 }, datanodes: 3, timeoutMs: 150_000, ci: true,
    faults: (ctx) => killEtcdMember(ctx, 'follower'),
  },
  {
    name: 'HA: the etcd leader killed',
    summary: 'a 3-member etcd cluster loses its raft leader (kill -9) under load: while the members elect a new leader the active acts on nothing (its lease unconfirmed), then resumes: no failover, writes go on',
    needs: ['partition'], ha: { ...HA, etcdMembers: 3 }, datanodes: 3, timeoutMs: 150_000, ci: true,
    faults: (ctx) => killEtcdMember(ctx, 'leader'),
  },
  {
    name: 'HA: 5 failovers in a row',
    summary: 'kill -9 the active 5 times under the write workload, restarting it each time as a STANDBY; the short CI form of the 20-failover run',
    needs: ['partition'], ha: HA, datanodes: 3, timeoutMs: 180_000, ci: true,
    faults: (ctx) => failovers(ctx, 5),
  },
  {
    name: 'HA: 20 failovers in a row',
    summary: 'kill -9 the active 20 times under the write workload, restarting it each time as a STANDBY; failover time p50/p99 logged',
    needs: ['partition'], ha: HA, datanodes: 3, timeoutMs: 600_000, ci: false,
    faults: (ctx) => failovers(ctx, 20),
  },
  {
    name: 'randomized faults',
    summary: 'a seeded random sequence of every fault kind the mode supports, one at a time, for --duration',
    needs: [], datanodes: 5, timeoutMs: 240_000, ci: true, delayProxy: true, tmpfs: { node: 'dn5', bytes: 96 * 1024 * 1024 },
    faults: randomizedFaults,
  },
];

/** The fault menu of the randomized scenario, filtered by what the mode supports. */
function randomMenu(ctx: ScenarioContext): FaultKind[] {
  const all: FaultKind[] = ['kill', 'stop', 'pause', 'partition-full', 'partition-namenode', 'partition-to-namenode', 'partition-from-namenode',
    'loss', 'delay', 'namenode-pause', 'namenode-restart', 'corrupt', 'disk-full'];
  const net = ctx.cluster.net;
  return all.filter((k) => (k.startsWith('partition') ? net.supports('partition') : k === 'loss' ? net.supports('loss') : k === 'disk-full' ? net.supports('disk-full') : true));
}

async function randomizedFaults(ctx: ScenarioContext): Promise<void> {
  const { cluster, rng, profile } = ctx;
  const deadline = Date.now() + (ctx.durationMs ?? 30_000);
  const timeout = deadTimeoutMs(profile);
  const menu = randomMenu(ctx);
  let step = 0;
  while (Date.now() < deadline) {
    step++;
    const kind = rng.pick(menu);
    const victim = kind === 'disk-full' ? 'dn5' : rng.pick(cluster.ids);
    // Shorter or longer than the dead timeout, so both "should not" and "must" detections happen.
    const holdMs = rng.int(Math.floor(timeout / 2), 4 * timeout);
    ctx.log(`step ${step}: ${kind}${['loss', 'namenode-pause', 'namenode-restart', 'corrupt'].includes(kind) ? '' : ` on ${victim}`}${['namenode-restart', 'corrupt'].includes(kind) ? '' : `, ${kind === 'loss' ? 3 * holdMs : holdMs} ms`}`);
    switch (kind) {
      case 'kill': await cluster.kill(victim); await ctx.hold(holdMs); await cluster.restartDataNode(victim); break;
      case 'stop': await cluster.stopDataNode(victim); await ctx.hold(holdMs); await cluster.restartDataNode(victim); break;
      case 'pause': cluster.pause(victim); await ctx.hold(holdMs); cluster.resume(victim); break;
      case 'partition-full': case 'partition-namenode': case 'partition-to-namenode': case 'partition-from-namenode':
        await cluster.partition(victim, kind); await ctx.hold(holdMs); await cluster.healPartition(victim); break;
      case 'loss': await cluster.loss(0.05); await ctx.hold(holdMs * 3); await cluster.healLoss(); break;
      case 'delay': await cluster.delay(victim, (profile.deadAfter - 2) * profile.heartbeatIntervalMs); await ctx.hold(holdMs); await cluster.delay(victim, 0); break;
      case 'namenode-pause': cluster.pauseNameNode(); await ctx.hold(Math.min(holdMs, 3 * timeout)); cluster.resumeNameNode(); break;
      case 'namenode-restart': await cluster.restartNameNode(); break;
      case 'disk-full': cluster.fillDisk(victim); await ctx.hold(holdMs); cluster.freeDisk(victim); break;
      case 'corrupt': {
        const files = ctx.workload.acked();
        if (files.length === 0) break;
        const file = rng.pick(files);
        const client = ctx.workload.newClient();
        try {
          const { blocks } = await client.getBlockLocations(file.path);
          const block = blocks.length ? rng.pick(blocks) : undefined;
          const holder = block?.locations.length ? rng.pick(block.locations).nodeId : undefined;
          if (block && holder && block.lengthBytes > 0) {
            cluster.corruptReplica(holder, block.blockId, rng.int(0, block.lengthBytes - 1));
            // Scrub: read until the corrupt copy is hit and reported (the block scanner may report it first).
            const reported = () => cluster.namenodeEvents('corrupt-replica').some((l) => l.blockId === block.blockId && l.nodeId === holder);
            let reads = 0;
            for (; reads < 60 && !reported(); reads++) await ctx.workload.read(client, 'scrubber', file.path);
            ctx.log(`corrupt replica of blk_${block.blockId} on ${holder} ${reported() ? `reported after ${reads} reads` : `NOT reported after ${reads} reads`}`);
          }
        } catch (err) {
          ctx.log(`corrupt step skipped: ${(err as Error).message}`);
        }
        break;
      }
      default: throw new Error(`unhandled fault ${kind}`);
    }
    // Let the cluster recover before the next fault, so faults do not pile up into unavailability.
    await cluster.waitForReport('all LIVE between faults', (r) => r.live === cluster.ids.length && !r.safeMode, 30_000);
    await ctx.hold(rng.int(200, 1000));
  }
}

export function scenarioByName(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario named "${name}"`);
  return s;
}

/** One verdict line per scenario, for the table. */
export function verdictRow(r: ScenarioResult): Record<string, string> {
  const v = r.verdict.stats;
  const judged = v.detections.filter((d) => d.latencyMs !== undefined && !d.outcome.startsWith('not-judged'));
  const latencies = judged.map((d) => d.latencyMs!);
  return {
    scenario: r.name,
    seed: String(r.seed),
    verdict: r.ok ? 'PASS' : 'FAIL',
    'acked/writes': `${v.acked}/${v.writes}`,
    reads: `${v.reads - v.readErrors}/${v.reads}`,
    lost: String(v.lostWrites),
    'wrong reads': String(v.wrongReads),
    'bad replicas': `${v.corruptReplicas}/${v.replicasChecked}`,
    'false DEAD': `${v.falseDeads}/${v.deads}`,
    'detect ms': latencies.length === 0 ? '-' : latencies.length <= 4 ? latencies.join(',') : `${Math.min(...latencies)}-${Math.max(...latencies)} (${latencies.length})`,
    'fsck ok ms': v.fsckHealthyAfterHealMs === undefined ? 'never' : String(v.fsckHealthyAfterHealMs),
    'wall s': (r.wallMs / 1000).toFixed(1),
  };
}

export function formatTable(rows: Array<Record<string, string>>): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]!);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i]!)).join('  ').trimEnd();
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => r[c] ?? '')))].join('\n');
}

/** Multi-line description of one result (failures first); a negative control's failure is labelled as expected. */
export function formatResult(r: ScenarioResult, options: { negativeControl?: boolean } = {}): string {
  // A negative control (a deliberately broken detector) is meant to fail: say so, not FAIL.
  const verdict = r.ok ? 'PASS' : options.negativeControl ? 'expected failure (negative control)' : 'FAIL';
  const lines = [`${verdict} "${r.name}" CHAOS_SEED=${r.seed} (${r.mode}, profile ${r.profile.name}, ${(r.wallMs / 1000).toFixed(1)} s)`];
  for (const f of [...r.scenarioFailures, ...r.verdict.failures]) lines.push(`  ✗ ${f}`);
  for (const n of r.verdict.notes) lines.push(`  · ${n}`);
  const s = r.verdict.stats;
  lines.push(`  writes ${s.acked}/${s.writes} acked (${s.failedWrites} failed, ${s.indeterminateWrites} indeterminate), reads ${s.reads - s.readErrors}/${s.reads} ok, wrong reads ${s.wrongReads}, lost ${s.lostWrites}, replicas checked ${s.replicasChecked} (${s.corruptReplicas} bad)`);
  lines.push(`  DEAD transitions ${s.deads}, false ${s.falseDeads}; fsck healthy ${s.fsckHealthyAfterHealMs ?? 'never'} ms after heal; drain ${r.drain.drainMs} ms (${r.drain.pending} pending)`);
  lines.push(`  phases (ms): ${Object.entries(r.phases).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const d of s.detections) {
    lines.push(`  detection ${d.nodeId} ${d.kind}: ${d.latencyMs === undefined ? 'no DEAD' : `${d.state ?? 'DEAD'} after ${d.latencyMs} ms (${d.reason}, ${d.msSinceLastHeartbeat} ms since last beat)`} -> ${d.outcome}`);
  }
  if (r.logsDir) lines.push(`  process logs kept in ${r.logsDir}`);
  return lines.join('\n');
}
