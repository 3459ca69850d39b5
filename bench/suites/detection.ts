/**
 * detection: how fast the NameNode notices a DataNode that crashed (kill -9) or hung (SIGSTOP),
 * from the NameNode's own transition log: fault -> STALE and fault -> DEAD, against the bound
 * deadAfter × interval.
 */
import type { Liveness, TestCluster } from '../../test/support/cluster';
import { PRODUCTION, describeLiveness, seededRandom, withCluster } from '../lib/cluster';
import { waitFor } from '../../test/support/wait';
import { round, summarize } from '../lib/stats';
import type { BenchContext, Suite, SuiteResult, Target } from '../lib/suite';

const DATANODES = 5;
const QUICK_LIVENESS: Liveness = { heartbeatIntervalMs: 200, staleAfter: 2, deadAfter: 3 };
const STALE_AFTER_CRASH_MS = 100;

type Kind = 'kill' | 'stop';

interface Fault { n: number; kind: Kind; node: string; staleMs: number; deadMs: number; staleReason: string; recoverMs: number; others: number; firstBeatMs: number }

/**
 * Waits until the NameNode has received a heartbeat from `node` after the node's last LIVE
 * transition, i.e. its heartbeat stream is bound to the node. Between registration (LIVE) and that
 * first beat (the DataNode sends its full block report first) a crash cannot be seen as a broken
 * stream, only as missed beats; the suite measures steady-state nodes, and counts how long that
 * window lasted.
 */
async function waitForSteadyBeat(c: TestCluster, node: string): Promise<number> {
  const live = c.transitions(node).filter((t) => t.to === 'LIVE').at(-1);
  const sinceMs = live ? Date.parse(live.timestamp) : 0;
  return waitFor(`a heartbeat from ${node} after it became LIVE`, async () => {
    const asked = Date.now(); // <= the NameNode's "now", so asked - msAgo <= the beat's real time
    const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/heartbeats`);
    if (!res.ok) throw new Error(`GET /api/heartbeats: ${res.status}`);
    const body = (await res.json()) as { nodes: Array<{ id: string; msAgo: number[] }> };
    const newest = body.nodes.find((x) => x.id === node)?.msAgo[0];
    return newest !== undefined && asked - newest > sinceMs ? asked - newest - sinceMs : undefined;
  }, 30_000);
}

/** One fault on `node`, then recovery (restart or SIGCONT) until the node is LIVE again. */
async function fault(c: TestCluster, kind: Kind, node: string, n: number, deadTimeoutMs: number): Promise<Fault> {
  const from = c.nn.lines.length;
  const dn = c.dn(node);
  const at = Date.now();
  dn.signal(kind === 'kill' ? 'SIGKILL' : 'SIGSTOP');
  try {
    const dead = await c.waitForTransition(`${node} DEAD after ${kind}`, (t) => t.nodeId === node && t.to === 'DEAD', deadTimeoutMs, from);
    const stale = c.transitions(node, from).find((t) => t.to === 'STALE');
    const recoverFrom = Date.now();
    if (kind === 'kill') {
      await dn.waitForExit();
      c.startDataNode(node);
    } else {
      dn.signal('SIGCONT');
    }
    await c.waitForTransition(`${node} LIVE again`, (t) => t.nodeId === node && t.to === 'LIVE', 30_000, from);
    const firstBeatMs = await waitForSteadyBeat(c, node);
    return {
      n, kind, node, firstBeatMs,
      staleMs: stale ? Date.parse(stale.timestamp) - at : Number.NaN,
      deadMs: Date.parse(dead.timestamp) - at,
      staleReason: stale?.reason ?? 'none',
      recoverMs: Date.now() - recoverFrom,
      others: c.transitions(undefined, from).filter((t) => t.nodeId !== node && t.to !== 'LIVE').length,
    };
  } finally {
    if (kind === 'stop' && dn.alive) dn.signal('SIGCONT');
  }
}

export const detection: Suite = {
  name: 'detection',
  title: 'Detection: kill -9 and SIGSTOP to STALE and DEAD',
  async run(ctx: BenchContext): Promise<SuiteResult> {
    const liveness = ctx.quick ? QUICK_LIVENESS : PRODUCTION;
    const perKind = ctx.quick ? 3 : 20;
    const interval = liveness.heartbeatIntervalMs;
    const bound = liveness.deadAfter * interval;
    const random = seededRandom(ctx.seed);
    ctx.log(`seed ${ctx.seed} (which DataNode each fault hits); ${describeLiveness(liveness)}`);

    const faults = await withCluster(DATANODES, liveness, [], async (c) => {
      for (const id of c.datanodes.keys()) await waitForSteadyBeat(c, id);
      const out: Fault[] = [];
      for (const kind of ['kill', 'stop'] as const) {
        for (let i = 0; i < perKind; i++) {
          const node = `dn${1 + Math.floor(random() * DATANODES)}`;
          const f = await fault(c, kind, node, out.length + 1, bound * 3 + 10_000);
          out.push(f);
          ctx.log(`${kind} ${node}: STALE ${f.staleMs} ms (${f.staleReason}), DEAD ${f.deadMs} ms, LIVE again ${f.recoverMs} ms later, first beat ${f.firstBeatMs} ms after LIVE`);
        }
      }
      return out;
    });

    const of = (kind: Kind, key: 'staleMs' | 'deadMs'): number[] => faults.filter((f) => f.kind === kind).map((f) => f[key]).filter(Number.isFinite);
    const s = {
      staleKill: summarize(of('kill', 'staleMs')), deadKill: summarize(of('kill', 'deadMs')),
      staleStop: summarize(of('stop', 'staleMs')), deadStop: summarize(of('stop', 'deadMs')),
    };
    const ratio = (ms: number): number => round(ms / bound, 2);
    const deadTarget = (kind: string, p99: number): Target => ({
      name: `DEAD p99 <= bound + 1 interval (${kind})`,
      pass: Number.isFinite(p99) ? p99 <= bound + interval : null,
      measured: `${p99} ms (${ratio(p99)} × bound)`,
      bound: `${bound + interval} ms (${liveness.deadAfter} × ${interval} + ${interval})`,
    });
    const others = faults.reduce((a, f) => a + f.others, 0);
    const row = (name: string, x: ReturnType<typeof summarize>): Array<string | number> =>
      [name, x.n, x.min, x.p50, x.p99, x.max, ratio(x.p50), ratio(x.p99)];

    return {
      suite: 'detection',
      title: detection.title,
      method:
        `A real NameNode and ${DATANODES} real DataNode processes on 127.0.0.1, liveness ${describeLiveness(liveness)}` +
        `${ctx.quick ? ' (quick run: short beats; the full run uses the 1000 ms default)' : ' (the defaults)'}. ` +
        `${perKind} kill -9 faults, then ${perKind} SIGSTOP faults, one at a time, each on a DataNode picked at random (seed ${ctx.seed}); ` +
        'after each the node is restarted (kill) or sent SIGCONT (stop) and the next fault waits until it is LIVE again and the NameNode has ' +
        'received its first heartbeat after that (GET /api/heartbeats), so every fault hits a node in steady state. ' +
        'Fault time = Date.now() in the bench process just before the signal; STALE and DEAD times = the timestamps of the NameNode\'s ' +
        'JSON transition log lines (wall clock of the same machine, ms). Percentiles are nearest-rank over the faults; ratios are to the bound ' +
        `deadAfter × interval = ${bound} ms. The NameNode ticks 4 times per interval, so DEAD can trail the bound by up to interval / 4 plus scheduling delay.`,
      metrics: {
        stale_kill_ms_p50: s.staleKill.p50, stale_kill_ms_p99: s.staleKill.p99,
        dead_kill_ms_p50: s.deadKill.p50, dead_kill_ms_p99: s.deadKill.p99,
        stale_stop_ms_p50: s.staleStop.p50, stale_stop_ms_p99: s.staleStop.p99,
        dead_stop_ms_p50: s.deadStop.p50, dead_stop_ms_p99: s.deadStop.p99,
        dead_kill_p99_over_bound: ratio(s.deadKill.p99), dead_stop_p99_over_bound: ratio(s.deadStop.p99),
        heartbeat_interval_ms: interval, stale_after: liveness.staleAfter, dead_after: liveness.deadAfter, dead_bound_ms: bound,
        faults_per_kind: perKind, other_nodes_suspected: others,
      },
      tables: [
        {
          title: 'Fault -> transition, ms',
          columns: ['transition', 'n', 'min', 'p50', 'p99', 'max', 'p50 / bound', 'p99 / bound'],
          rows: [row('kill -9 -> STALE', s.staleKill), row('kill -9 -> DEAD', s.deadKill), row('SIGSTOP -> STALE', s.staleStop), row('SIGSTOP -> DEAD', s.deadStop)],
        },
        {
          title: 'Every fault',
          columns: ['#', 'fault', 'node', 'STALE ms', 'STALE reason', 'DEAD ms', 'LIVE again after ms', 'first beat after LIVE ms', 'other nodes STALE/DEAD'],
          rows: faults.map((f) => [f.n, f.kind, f.node, f.staleMs, f.staleReason, f.deadMs, f.recoverMs, f.firstBeatMs, f.others]),
        },
      ],
      targets: [
        deadTarget('kill -9', s.deadKill.p99),
        deadTarget('SIGSTOP', s.deadStop.p99),
        {
          name: `STALE after a crash p99 <= ${STALE_AFTER_CRASH_MS} ms`,
          pass: Number.isFinite(s.staleKill.p99) ? s.staleKill.p99 <= STALE_AFTER_CRASH_MS : null,
          measured: `${s.staleKill.p99} ms`,
          bound: `${STALE_AFTER_CRASH_MS} ms`,
          note: 'kill -9 closes the heartbeat stream, which marks the node STALE at once',
        },
      ],
      notes: [
        'A SIGSTOPped DataNode keeps its TCP connection open, so it is only noticed by missed beats: STALE after staleAfter × interval, DEAD after deadAfter × interval, both measured from the last beat received, which is up to one interval before the fault (hence figures below the bound).',
        `Other nodes that went STALE or DEAD during the faults (false suspicions on a loaded machine): ${others}.`,
        'Window found by this suite: a DataNode is LIVE from its registration, but the NameNode binds the heartbeat stream to it only at the first ' +
          'heartbeat, which the DataNode sends after its full block report. A crash inside that window is not seen as a broken stream: STALE comes ' +
          `from missed beats (~staleAfter × interval). The window lasted p50 ${summarize(faults.map((f) => f.firstBeatMs)).p50} ms / ` +
          `max ${summarize(faults.map((f) => f.firstBeatMs)).max} ms after each recovery here; faults are only injected after it.`,
      ],
    };
  },
};
