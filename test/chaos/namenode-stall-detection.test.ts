/**
 * A crash right after a NameNode stall is detected as fast as any other, on real processes: the
 * NameNode is stopped (SIGSTOP) for 1.8 s and continued, a DataNode is killed (kill -9) 0.6 s
 * later, and it must be DEAD within (deadAfter + 1) × interval of the kill (missed-beat rule, the
 * default detector; phi accrual gives no such bound, its limit depends on the history: the core test
 * test/unit/heartbeat-monitor-stall.test.ts checks that the stall does not enter that history).
 *
 * The bound is measured from the kill: the instant this test sends SIGKILL (Date.now() just
 * before it) to the timestamp of the NameNode's DEAD log line. The DataNode's last beat left at
 * most one interval before the kill, and the NameNode declares DEAD deadAfter intervals after the
 * last beat it heard (at the first tick, every interval / 4, past that), hence deadAfter + 1
 * intervals. TOLERANCE_MS is added for what the two timestamps include besides the detector: the
 * kill reaching the process, the stamping of the log line, scheduling on a busy machine.
 *
 * Timing-sensitive: it lives in test/chaos, which scripts/test.js runs alone, after the other
 * suites (a CPU-heavy suite in a parallel worker would delay the NameNode's ticks).
 */
import { type Liveness, TestCluster } from '../support/cluster';
import { waitFor } from '../support/wait';

/** 200 ms beats, STALE after 2 missed, DEAD after 3: the bound is 800 ms. */
const LIVENESS: Liveness = { heartbeatIntervalMs: 200, staleAfter: 2, deadAfter: 3 };
const BOUND_MS = (LIVENESS.deadAfter + 1) * LIVENESS.heartbeatIntervalMs;
/** Kill delivery, log stamping and scheduling: one interval. */
const TOLERANCE_MS = LIVENESS.heartbeatIntervalMs;
const NAMENODE_PAUSE_MS = 1800;
const KILL_AFTER_RESUME_MS = 600;

describe('DEAD bound right after a NameNode stall (real processes)', () => {
  let cluster: TestCluster;

  beforeEach(async () => {
    cluster = await TestCluster.start(3, LIVENESS);
  });

  afterEach(async () => {
    await cluster.stop();
  });

  test(`NameNode stopped ${NAMENODE_PAUSE_MS} ms, a DataNode killed ${KILL_AFTER_RESUME_MS} ms after SIGCONT: DEAD within (deadAfter + 1) x interval of the kill`, async () => {
    const from = cluster.nn.lines.length;
    cluster.nn.signal('SIGSTOP');
    await new Promise((r) => setTimeout(r, NAMENODE_PAUSE_MS)); // the fault itself: a pause of a given length
    cluster.nn.signal('SIGCONT');
    const resumedAt = Date.now();
    // Beats are heard again (the report answers only once the NameNode runs).
    await waitFor('beats heard after the resume', async () => {
      const r = await cluster.report();
      return r.live === 3 && r.datanodes.every((d) => d.lastHeartbeatMsAgo < LIVENESS.heartbeatIntervalMs) ? r : undefined;
    }, 5000);
    await waitFor(`${KILL_AFTER_RESUME_MS} ms after the resume`, () => Date.now() >= resumedAt + KILL_AFTER_RESUME_MS, 5000, 5);
    const killedAt = Date.now();
    cluster.dn('dn2').signal('SIGKILL');
    const dead = await cluster.waitForTransition('dn2 DEAD', (t) => t.nodeId === 'dn2' && t.to === 'DEAD', 10_000, from);
    const deadAfterKillMs = Date.parse(dead.timestamp) - killedAt;
    expect({ reason: dead.reason, deadAfterKillMs: deadAfterKillMs <= BOUND_MS + TOLERANCE_MS ? 'within' : deadAfterKillMs })
      .toEqual({ reason: 'missed-beats', deadAfterKillMs: 'within' });
    // Nobody else left LIVE over the stall or the crash.
    expect(cluster.transitions(undefined, from).filter((t) => t.nodeId !== 'dn2')).toEqual([]);
  });
});
