/**
 * The cluster as users start it, on a real Docker engine: the root docker-compose.yml (plus
 * test/e2e/compose.override.yml: host-network build, fast liveness profile, 1 MiB blocks, a fixed
 * subnet) is built and brought up (3 LIVE, and 3 ALIVE in a DataNode's gossip view), scaled by one DataNode, a file is written, one DataNode
 * container is `docker kill`ed (DEAD, its blocks re-replicated), another is cut off the compose
 * network (DEAD, under-replicated, still readable) and reconnected on its address (LIVE, healthy),
 * and the file is read back byte for byte; a scaled DataNode stopped by SIGTERM exits 0 at once
 * and is DEAD by goodbye. A last step moves a DataNode to a new address: the heartbeat watchdog
 * notices the silent channel, opens a fresh one and the node re-registers. Cluster state is read with the `minidfs` CLI
 * inside the NameNode container (`report --json`, `fsck --json`, via `docker exec` on the id from
 * `docker compose ps -q namenode`: a `compose exec` costs ~3 s of Python start-up per poll).
 * Steps share one cluster and run in order: after a failed step the rest fail at once, and the
 * compose logs are printed before `down -v`.
 *
 * A second suite brings up the `ha` profile (etcd, NameNodes nn1/nn2, DataNodes ha-dn1..3) as its
 * own project and fails the ACTIVE NameNode over twice (`docker kill`, then `docker pause` past its
 * lease); see its comment.
 *
 * Needs root (the harness starts dockerd); otherwise both suites are skipped with the reason.
 */
import { createHash, randomBytes } from 'node:crypto';
import { waitFor } from '../support/wait';
import {
  ComposeProject, type EngineGate, containerNetworks, containerRunning, docker, dockerEngineGate, freePort,
} from '../support/docker';

interface ReportEntry { id: string; address: string; state: 'LIVE' | 'STALE' | 'DEAD'; blocks: number }
interface Report { datanodes: ReportEntry[]; live: number; stale: number; dead: number }
interface Fsck { files: number; blocks: number; underReplicated: number; overReplicated: number; missing: number; corrupt: number; pendingReplications: number; healthy: boolean }

const REPLICATION = 3;
const BLOCK_SIZE_BYTES = 1024 * 1024; // as in compose.override.yml
const FILE_BYTES = 5 * BLOCK_SIZE_BYTES + 12_345; // 6 blocks, the last one partial
const REMOTE_PATH = '/e2e/data.bin';
const NAMED_DATANODES = ['dn1', 'dn2', 'dn3'];
const SCALE_PROFILE = ['scale'];

const BUILD_TIMEOUT_MS = 10 * 60_000;
const STEP_TIMEOUT_MS = 3 * 60_000;
/** DEAD is due ~1 s after the last beat (200 ms × 5); generous for a loaded 2-core CI box. */
const DEAD_WITHIN_MS = 20_000;
const HEALED_WITHIN_MS = 60_000;
/** A reconnected node re-registers at once if its stream survived, else after the DataNode's
 * stream watchdog (max(20 beats, 10 s)) plus a reconnect backoff. */
const REVIVED_WITHIN_MS = 60_000;
/** On a new address the old connection is dead: the watchdog (10 s) must notice and reconnect. */
const MOVED_REVIVED_WITHIN_MS = 30_000;

const gate: EngineGate = dockerEngineGate();
if (!gate.available) {
  const msg = `compose e2e: SKIPPED, no Docker engine: ${gate.reason}`;
  if (gate.required) throw new Error(`${msg} (MINIDFS_E2E_DOCKER=1 requires it)`);
  console.warn(msg);
}

const suite = gate.available ? describe : describe.skip;
const title = gate.available
  ? `docker compose cluster on a real engine (${gate.reason})`
  : `docker compose cluster: SKIPPED, no Docker engine (${gate.reason.split('\n')[0]})`;

suite(title, () => {
  const project = `minidfse2e${process.pid}`;
  const timings: Record<string, number> = { harnessUpMs: gate.harnessMs };
  let compose!: ComposeProject;
  let httpPort = 0;
  let namenodeId = '';
  const data = randomBytes(FILE_BYTES);
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  let killedService = '';
  let disconnected: { service: string; id: string; network: string; aliases: string[]; ipAddress: string } | undefined;
  const reconnect = (d: NonNullable<typeof disconnected>, ip: string) =>
    docker(['network', 'connect', '--ip', ip, ...d.aliases.flatMap((a) => ['--alias', a]), d.network, d.id]);

  let failedStep: string | undefined;
  /** A scenario step: after one fails, the later ones fail at once with its name. */
  const step = (name: string, fn: () => Promise<void>, timeoutMs = STEP_TIMEOUT_MS) =>
    test(name, async () => {
      if (failedStep) throw new Error(`not run: earlier step failed: ${failedStep}`);
      try {
        await fn();
      } catch (err) {
        failedStep = name;
        throw err;
      }
    }, timeoutMs);

  const cli = async (args: string[], input?: Buffer) =>
    docker(['exec', ...(input ? ['-i'] : []), namenodeId, 'minidfs', ...args], { input, timeoutMs: 60_000, allowFailure: true });

  const report = async (): Promise<Report> => {
    const r = await cli(['report', '--json']);
    if (r.code !== 0) throw new Error(`minidfs report exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout.toString()) as Report;
  };
  /** `fsck --json` exits 1 unless healthy; the JSON is printed either way. */
  const fsck = async (): Promise<Fsck> => {
    const r = await cli(['fsck', '/', '--json']);
    if (r.code !== 0 && r.code !== 1) throw new Error(`minidfs fsck exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout.toString()) as Fsck;
  };
  const healthOf = async (id: string) => (await docker(['inspect', '-f', '{{.State.Health.Status}}', id])).stdout.toString().trim();
  const stateOf = (rep: Report, id: string) => rep.datanodes.find((d) => d.id === id)?.state;
  const liveReplicas = (rep: Report) => rep.datanodes.filter((d) => d.state === 'LIVE').reduce((n, d) => n + d.blocks, 0);
  const timed = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      timings[key] = Date.now() - t0;
    }
  };

  beforeAll(async () => {
    httpPort = await freePort();
    const rpcPort = await freePort();
    compose = new ComposeProject(gate.compose, project, ['docker-compose.yml', 'test/e2e/compose.override.yml'], {
      MINIDFS_IMAGE: 'minidfs:e2e',
      MINIDFS_HOST_RPC_PORT: String(rpcPort),
      MINIDFS_HOST_HTTP_PORT: String(httpPort),
      MINIDFS_E2E_SUBNET: `10.214.${process.pid % 250}.0/24`,
    });
  });

  afterAll(async () => {
    if (!compose) return;
    if (failedStep) {
      const logs = await compose.run(['logs', '--no-color', '--tail', '40'], { profiles: SCALE_PROFILE, allowFailure: true, timeoutMs: 60_000 }).catch((e: Error) => e);
      console.warn(`compose e2e: step "${failedStep}" failed; last log lines:\n${logs instanceof Error ? logs.message : logs.stdout.toString()}`);
    }
    await timed('downMs', () => compose.run(['down', '-v', '--remove-orphans', '-t', '5'], { profiles: SCALE_PROFILE, allowFailure: true, timeoutMs: 120_000 }));
    console.log(`compose e2e timings (ms): ${JSON.stringify(timings)}`);
  }, 180_000);

  step('the image builds (multi-stage, npm ci + tsc -b inside, host network for the registry)', async () => {
    await timed('buildMs', () => compose.run(['build', 'namenode'], { timeoutMs: BUILD_TIMEOUT_MS }));
    const user = await docker(['image', 'inspect', '-f', '{{.Config.User}}', 'minidfs:e2e']);
    expect(user.stdout.toString().trim()).toBe('node');
  }, BUILD_TIMEOUT_MS + 30_000);

  step('`docker compose up -d` starts a NameNode and 3 DataNodes; `compose exec namenode minidfs report` shows 3 LIVE', async () => {
    await timed('upMs', () => compose.run(['up', '-d'], { timeoutMs: 120_000 }));
    namenodeId = await compose.containerId('namenode');
    await timed('threeLiveMs', () => waitFor('3 LIVE DataNodes', async () => {
      const rep = await report();
      return rep.live === 3 && NAMED_DATANODES.every((id) => stateOf(rep, id) === 'LIVE') && rep;
    }, 60_000, 250));
    // the images' healthcheck, for both roles (depends_on waited for the NameNode's)
    expect(await healthOf(namenodeId)).toBe('healthy');
    const dn1 = await compose.containerId('dn1');
    await waitFor('dn1 healthcheck healthy', async () => (await healthOf(dn1)) === 'healthy', 60_000, 500);
    // the literal user command, once
    const text = await compose.run(['exec', '-T', 'namenode', 'minidfs', 'report'], { timeoutMs: 60_000 });
    expect(text.stdout.toString()).toMatch(/3 live, 0 stale, 0 dead/);
  });

  step('DataNodes gossip (docker-compose.yml turns it on): `minidfs report --peer dn1:9866` shows all 3 ALIVE', async () => {
    const view = await waitFor('dn1 holds 3 members ALIVE', async () => {
      const r = await cli(['report', '--peer', 'dn1:9866', '--json']);
      if (r.code !== 0) return false;
      const v = JSON.parse(r.stdout.toString()) as { alive: number; members: Array<{ id: string; state: string }> };
      return v.alive === 3 && v;
    }, 30_000, 500);
    expect(view.members.map((m) => m.id).sort()).toEqual(['dn1', 'dn2', 'dn3']);
  });

  step('the web/API port answers from the host', async () => {
    const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    expect(health.status).toBe(200);
    const api = (await (await fetch(`http://127.0.0.1:${httpPort}/api/datanodes`)).json()) as Report;
    expect(api.live).toBe(3);
  });

  step('`--profile scale up -d --scale datanode=1` adds a fourth DataNode, id datanode-1 (service and index)', async () => {
    await compose.run(['up', '-d', '--scale', 'datanode=1'], { profiles: SCALE_PROFILE, timeoutMs: 120_000 });
    const rep = await waitFor('4 LIVE DataNodes', async () => { const r = await report(); return r.live === 4 && r; }, 60_000, 250);
    expect(rep.datanodes.map((d) => d.id).sort()).toEqual(['datanode-1', 'dn1', 'dn2', 'dn3']);
  });

  step(`put a ${FILE_BYTES}-byte file (${Math.ceil(FILE_BYTES / BLOCK_SIZE_BYTES)} blocks): fsck healthy, ${REPLICATION} replicas each`, async () => {
    const put = await timed('putMs', () => cli(['put', '-', REMOTE_PATH], data));
    if (put.code !== 0) throw new Error(`minidfs put exited ${put.code}: ${put.stderr}`);
    const blocks = Math.ceil(FILE_BYTES / BLOCK_SIZE_BYTES);
    const health = await waitFor('fsck healthy after the write', async () => { const f = await fsck(); return f.healthy && f; }, HEALED_WITHIN_MS, 250);
    expect(health).toMatchObject({ files: 1, blocks, missing: 0, corrupt: 0 });
    await waitFor(`${blocks * REPLICATION} live replicas`, async () => liveReplicas(await report()) === blocks * REPLICATION, 30_000, 250);
  });

  step('`docker kill` a DataNode container holding blocks: DEAD, its blocks re-replicated (fsck healthy)', async () => {
    const rep = await report();
    const victim = rep.datanodes.filter((d) => NAMED_DATANODES.includes(d.id) && d.blocks > 0).sort((a, b) => b.blocks - a.blocks)[0];
    expect(victim).toBeDefined();
    killedService = victim.id; // dn1..dn3: service name == node id
    const id = await compose.containerId(killedService);
    const t0 = Date.now();
    await docker(['kill', id]);
    expect(await containerRunning(id)).toBe(false);
    await waitFor(`${killedService} DEAD`, async () => stateOf(await report(), killedService) === 'DEAD', DEAD_WITHIN_MS, 100);
    timings.killToDeadMs = Date.now() - t0;
    const blocks = Math.ceil(FILE_BYTES / BLOCK_SIZE_BYTES);
    await waitFor('re-replication to the remaining LIVE DataNodes', async () => {
      const [f, r] = [await fsck(), await report()];
      return f.healthy && f.underReplicated === 0 && liveReplicas(r) === blocks * REPLICATION && r.live === 3;
    }, HEALED_WITHIN_MS, 250);
    timings.killToHealedMs = Date.now() - t0;
  });

  step('partition: disconnect another DataNode from the compose network: DEAD, blocks under-replicated, the file still reads', async () => {
    const service = NAMED_DATANODES.find((s) => s !== killedService)!;
    const id = await compose.containerId(service);
    const nets = await containerNetworks(id);
    expect(nets).toHaveLength(1);
    const aliases = nets[0].aliases.filter((a) => !id.startsWith(a)); // docker adds the short-id alias itself
    disconnected = { service, id, network: nets[0].name, aliases, ipAddress: nets[0].ipAddress };
    const t0 = Date.now();
    await docker(['network', 'disconnect', disconnected.network, id]);
    await waitFor(`${service} DEAD`, async () => stateOf(await report(), service) === 'DEAD', DEAD_WITHIN_MS, 100);
    timings.disconnectToDeadMs = Date.now() - t0;
    expect(await containerRunning(id)).toBe(true); // alive, only unreachable
    // 2 LIVE DataNodes < replication 3: nothing can restore the third replica until one returns
    const f = await waitFor('fsck reports under-replication', async () => { const r = await fsck(); return r.underReplicated > 0 && r; }, 30_000, 250);
    expect(f).toMatchObject({ missing: 0, healthy: false });
    const cat = await cli(['cat', REMOTE_PATH]);
    expect(cat.code).toBe(0);
    expect(sha256(cat.stdout)).toBe(sha256(data));
  });

  step('heal the partition (reconnect on the same address): LIVE again, fsck healthy', async () => {
    const d = disconnected!;
    const t0 = Date.now();
    await reconnect(d, d.ipAddress);
    await waitFor(`${d.service} LIVE again`, async () => stateOf(await report(), d.service) === 'LIVE', REVIVED_WITHIN_MS, 100);
    timings.reconnectToLiveMs = Date.now() - t0;
    await waitFor('fsck healthy after the reconnect', async () => { const f = await fsck(); return f.healthy && f.underReplicated === 0; }, HEALED_WITHIN_MS, 250);
    timings.reconnectToHealedMs = Date.now() - t0;
    const rep = await report();
    expect(rep.live).toBe(3);
    expect(stateOf(rep, killedService)).toBe('DEAD');
  });

  step('read the file back: same bytes', async () => {
    const got = await timed('getMs', () => cli(['cat', REMOTE_PATH]));
    expect(got.code).toBe(0);
    expect(got.stdout.length).toBe(FILE_BYTES);
    expect(sha256(got.stdout)).toBe(sha256(data));
    const stat = JSON.parse((await cli(['stat', REMOTE_PATH])).stdout.toString()) as { lengthBytes: number; replication: number };
    expect(stat).toMatchObject({ lengthBytes: FILE_BYTES, replication: REPLICATION });
  });

  step('SIGTERM (`docker compose stop datanode`): the DataNode says goodbye, exits 0 at once, DEAD by goodbye', async () => {
    const id = await compose.containerId('datanode', SCALE_PROFILE);
    const nodeId = 'datanode-1'; // the scaled service's ids come from its replica name (MINIDFS_ID_FROM_DNS)
    expect(stateOf(await report(), nodeId)).toBe('LIVE');
    const t0 = Date.now();
    await compose.run(['stop', '-t', '10', 'datanode'], { profiles: SCALE_PROFILE, timeoutMs: 60_000 });
    timings.sigtermStopMs = Date.now() - t0;
    const exit = (await docker(['inspect', '-f', '{{.State.ExitCode}}', id])).stdout.toString().trim();
    expect(exit).toBe('0'); // 137 would mean the 10 s grace ran out and docker sent SIGKILL
    expect(timings.sigtermStopMs).toBeLessThan(9_000);
    const events = await waitFor(`${nodeId} DEAD by goodbye`, async () => {
      const body = (await (await fetch(`http://127.0.0.1:${httpPort}/api/events`)).json()) as { events: Array<Record<string, unknown>> };
      return body.events.some((e) => e.nodeId === nodeId && e.to === 'DEAD' && e.reason === 'goodbye') && body.events;
    }, 10_000, 200);
    expect(events.length).toBeGreaterThan(0);
  });

  // Fixed: the heartbeat watchdog drops the dead channel and the link reconnects on a fresh one.
  test('a DataNode that comes back on a NEW address re-registers and is LIVE again', async () => {
    if (failedStep) throw new Error(`not run: earlier step failed: ${failedStep}`);
    const d = disconnected!;
    await docker(['network', 'disconnect', d.network, d.id]);
    await waitFor(`${d.service} DEAD`, async () => stateOf(await report(), d.service) === 'DEAD', DEAD_WITHIN_MS, 100);
    const moved = d.ipAddress.replace(/\.\d+$/, '.200');
    const t0 = Date.now();
    await reconnect(d, moved);
    await waitFor(`${d.service} LIVE on ${moved}`, async () => stateOf(await report(), d.service) === 'LIVE', MOVED_REVIVED_WITHIN_MS, 250);
    timings.movedToLiveMs = Date.now() - t0;
  }, STEP_TIMEOUT_MS);
});

const HA_PROFILE = ['ha'];
/** nn1, nn2: service name = host of the advertised address nnN:8020. */
const HA_NAMENODES = ['nn1', 'nn2'];
const HA_DATANODES = ['ha-dn1', 'ha-dn2', 'ha-dn3'];
/** The client commands run in this DataNode's container (its MINIDFS_NAMENODE names both NameNodes); it is never stopped. */
const HA_CLIENT_SERVICE = 'ha-dn3';
const HA_FILE_BYTES = 2 * BLOCK_SIZE_BYTES + 4_321; // 3 blocks
/** The active's lease (4 s in compose.override.yml) runs out, the standby is elected, tails the last edit and promotes. */
const HA_FAILOVER_WITHIN_MS = 30_000;
/** Least time the active stays frozen (`docker pause`): past its 4 s lease. */
const HA_PAUSE_MS = 6_000;
/** `docker pause` tries when the cgroup freezer reports "unable to freeze" (see freeze()). */
const PAUSE_ATTEMPTS = 3;

interface HaStatus { namenodes: Array<{ address: string; role: 'ACTIVE' | 'STANDBY' | 'NONE' | 'UNREACHABLE'; epoch: number; error?: string }> }

/**
 * Profile `ha` (a separate compose project, after the one above): etcd, NameNodes nn1/nn2 and
 * DataNodes ha-dn1..3 come up with one ACTIVE and one STANDBY (`minidfs ha status --json`); the
 * ACTIVE is SIGKILLed and the STANDBY takes over with the namespace (a file written before reads
 * back the same, a new one writes); the killed NameNode, started again, is a STANDBY; a frozen
 * ACTIVE (`docker pause` past its lease) exits 75 on resume and `restart: on-failure` brings it
 * back as a STANDBY.
 */
suite(`${title}: NameNode HA pair (profile ha)`, () => {
  const project = `minidfse2eha${process.pid}`;
  const timings: Record<string, number> = {};
  let compose!: ComposeProject;
  const httpPorts: Record<string, number> = {};
  let clientId = '';
  const first = randomBytes(HA_FILE_BYTES);
  const second = randomBytes(HA_FILE_BYTES);
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  let killed = '';

  let failedStep: string | undefined;
  const step = (name: string, fn: () => Promise<void>, timeoutMs = STEP_TIMEOUT_MS) =>
    test(name, async () => {
      if (failedStep) throw new Error(`not run: earlier step failed: ${failedStep}`);
      try {
        await fn();
      } catch (err) {
        failedStep = name;
        throw err;
      }
    }, timeoutMs);
  const since = (key: string, t0: number) => { timings[key] = Date.now() - t0; };

  const cli = async (args: string[], input?: Buffer) =>
    docker(['exec', ...(input ? ['-i'] : []), clientId, 'minidfs', ...args], { input, timeoutMs: 60_000, allowFailure: true });
  /** `ha status --json` exits 1 unless exactly one NameNode is ACTIVE; the JSON is printed either way. */
  const haStatus = async (): Promise<HaStatus['namenodes']> => {
    const r = await cli(['ha', 'status', '--json']);
    if (r.code !== 0 && r.code !== 1) throw new Error(`minidfs ha status exited ${r.code}: ${r.stderr}`);
    return (JSON.parse(r.stdout.toString()) as HaStatus).namenodes;
  };
  const roleOf = (st: HaStatus['namenodes'], service: string) => st.find((n) => n.address === `${service}:8020`);
  /** The pair as `{active, standby}` service names when one is ACTIVE and the other STANDBY. */
  const pair = (st: HaStatus['namenodes']) => {
    const active = HA_NAMENODES.find((s) => roleOf(st, s)?.role === 'ACTIVE');
    const standby = HA_NAMENODES.find((s) => roleOf(st, s)?.role === 'STANDBY');
    return active && standby ? { active, standby, epoch: roleOf(st, active)!.epoch } : undefined;
  };
  const waitForPair = (what: string, ok: (p: NonNullable<ReturnType<typeof pair>>) => boolean, timeoutMs: number) =>
    waitFor(what, async () => { const p = pair(await haStatus()); return p && ok(p) && p; }, timeoutMs, 250);
  const report = async () => {
    const r = await cli(['report', '--json']);
    if (r.code !== 0) throw new Error(`minidfs report exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout.toString()) as Report;
  };
  const fsckHealthy = async () => {
    const r = await cli(['fsck', '/', '--json']);
    return r.code === 0 && (JSON.parse(r.stdout.toString()) as Fsck).healthy;
  };
  const catSha = async (remote: string) => {
    const r = await cli(['cat', remote]);
    if (r.code !== 0) throw new Error(`minidfs cat ${remote} exited ${r.code}: ${r.stderr}`);
    return sha256(r.stdout);
  };

  beforeAll(async () => {
    for (const key of ['rpc', 'http', ...HA_NAMENODES]) httpPorts[key] = await freePort();
    compose = new ComposeProject(gate.compose, project, ['docker-compose.yml', 'test/e2e/compose.override.yml'], {
      MINIDFS_IMAGE: 'minidfs:e2e',
      MINIDFS_ETCD_IMAGE: 'minidfs-etcd:e2e',
      MINIDFS_HOST_RPC_PORT: String(httpPorts.rpc), // the default cluster, which `--profile ha up` starts too
      MINIDFS_HOST_HTTP_PORT: String(httpPorts.http),
      MINIDFS_HOST_HTTP_PORT_NN1: String(httpPorts.nn1),
      MINIDFS_HOST_HTTP_PORT_NN2: String(httpPorts.nn2),
      MINIDFS_E2E_SUBNET: `10.215.${process.pid % 250}.0/24`,
    });
  });

  afterAll(async () => {
    if (!compose) return;
    if (failedStep) {
      const logs = await compose.run(['logs', '--no-color', '--tail', '40', 'etcd', ...HA_NAMENODES, ...HA_DATANODES], { profiles: HA_PROFILE, allowFailure: true, timeoutMs: 60_000 }).catch((e: Error) => e);
      console.warn(`compose e2e (ha): step "${failedStep}" failed; last log lines:\n${logs instanceof Error ? logs.message : logs.stdout.toString()}`);
    }
    const t0 = Date.now();
    await compose.run(['down', '-v', '--remove-orphans', '-t', '5'], { profiles: HA_PROFILE, allowFailure: true, timeoutMs: 120_000 });
    since('downMs', t0);
    console.log(`compose e2e (ha) timings (ms): ${JSON.stringify(timings)}`);
  }, 180_000);

  step('the etcd image builds from Debian\'s etcd-server package (and the minidfs image, from cache)', async () => {
    const t0 = Date.now();
    await compose.run(['build', 'etcd', 'nn1'], { profiles: HA_PROFILE, timeoutMs: BUILD_TIMEOUT_MS });
    since('buildMs', t0);
    const user = await docker(['image', 'inspect', '-f', '{{.Config.User}}', 'minidfs-etcd:e2e']);
    expect(user.stdout.toString().trim()).toBe('etcd');
  }, BUILD_TIMEOUT_MS + 30_000);

  step('`docker compose --profile ha up -d`: `minidfs ha status --json` shows one ACTIVE and one STANDBY, 3 LIVE DataNodes', async () => {
    const t0 = Date.now();
    await compose.run(['up', '-d'], { profiles: HA_PROFILE, timeoutMs: 180_000 });
    since('upMs', t0);
    clientId = await compose.containerId(HA_CLIENT_SERVICE, HA_PROFILE);
    const p = await waitForPair('one ACTIVE and one STANDBY', () => true, 60_000);
    since('activeStandbyMs', t0);
    expect(p.epoch).toBeGreaterThan(0);
    const rep = await waitFor('3 LIVE DataNodes on the active', async () => { const r = await report(); return r.live === 3 && r; }, 60_000, 250);
    expect(rep.datanodes.map((d) => d.id).sort()).toEqual(HA_DATANODES);
    // each NameNode's web/API port on the host, with its own role
    for (const service of HA_NAMENODES) {
      const ha = (await (await fetch(`http://127.0.0.1:${httpPorts[service]}/api/ha`)).json()) as { namenodeId: string; role: string };
      expect(ha).toMatchObject({ namenodeId: service, role: service === p.active ? 'ACTIVE' : 'STANDBY' });
    }
    // the literal user command, once
    // the literal user command (exit 0: exactly one ACTIVE); retried, as a NameNode on a loaded box may miss the 2 s status deadline
    await waitFor('`compose exec ha-dn3 minidfs ha status` prints both roles', async () => {
      const r = await compose.run(['exec', '-T', HA_CLIENT_SERVICE, 'minidfs', 'ha', 'status'], { profiles: HA_PROFILE, timeoutMs: 60_000, allowFailure: true });
      const text = r.stdout.toString();
      return r.code === 0 && new RegExp(`${p.active}:8020\\s+ACTIVE`).test(text) && new RegExp(`${p.standby}:8020\\s+STANDBY`).test(text);
    }, 30_000, 500);
  });

  step(`put a ${HA_FILE_BYTES}-byte file: fsck healthy`, async () => {
    const put = await cli(['put', '-', '/ha/first.bin'], first);
    if (put.code !== 0) throw new Error(`minidfs put exited ${put.code}: ${put.stderr}`);
    await waitFor('fsck healthy after the write', fsckHealthy, HEALED_WITHIN_MS, 250);
  });

  step('`docker kill` the ACTIVE NameNode (SIGKILL): the STANDBY becomes ACTIVE with a higher epoch', async () => {
    const before = pair(await haStatus());
    expect(before).toBeDefined();
    killed = before!.active;
    const t0 = Date.now();
    await docker(['kill', await compose.containerId(killed, HA_PROFILE)]);
    const after = await waitFor(`${before!.standby} ACTIVE`, async () => {
      const st = await haStatus();
      const nn = roleOf(st, before!.standby);
      return nn?.role === 'ACTIVE' && roleOf(st, killed)?.role === 'UNREACHABLE' && nn;
    }, HA_FAILOVER_WITHIN_MS, 250);
    since('killToActiveMs', t0);
    expect(after.epoch).toBeGreaterThan(before!.epoch);
  });

  step('the new ACTIVE serves the namespace: the first file reads back byte-identical, a second one writes and reads back', async () => {
    expect(await catSha('/ha/first.bin')).toBe(sha256(first));
    const put = await cli(['put', '-', '/ha/second.bin'], second);
    if (put.code !== 0) throw new Error(`minidfs put after the failover exited ${put.code}: ${put.stderr}`);
    expect(await catSha('/ha/second.bin')).toBe(sha256(second));
    await waitFor('fsck healthy after the failover', fsckHealthy, HEALED_WITHIN_MS, 250);
  });

  step('the killed NameNode, started again, rejoins as STANDBY', async () => {
    const t0 = Date.now();
    await docker(['start', await compose.containerId(killed, HA_PROFILE)]);
    await waitForPair(`${killed} STANDBY`, (p) => p.standby === killed, 60_000);
    since('restartToStandbyMs', t0);
  });

  /**
   * `docker pause`, tried again when the cgroup freezer gives up ("unable to freeze": a task of the
   * container was in uninterruptible I/O, e.g. an fsync on a loaded disk). An engine hiccup, not the
   * NameNode's behaviour; anything else fails the step.
   */
  async function freeze(id: string): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const r = await docker(['pause', id], { allowFailure: true });
      if (r.code === 0) return;
      const err = r.stderr;
      if (attempt >= PAUSE_ATTEMPTS || !/unable to freeze/.test(err)) throw new Error(`docker pause ${id} exited with ${r.code}: ${err.trim()}`);
    }
  }

  step('a frozen ACTIVE (`docker pause` past its lease) is replaced; resumed, it exits 75 and `restart: on-failure` brings it back as STANDBY', async () => {
    const before = pair(await haStatus())!;
    const id = await compose.containerId(before.active, HA_PROFILE);
    const restarts = async () => Number((await docker(['inspect', '-f', '{{.RestartCount}}', id])).stdout.toString().trim());
    const restartsBefore = await restarts();
    const t0 = Date.now();
    await freeze(id);
    try {
      await waitFor(`${before.standby} ACTIVE while ${before.active} is frozen`, async () => roleOf(await haStatus(), before.standby)?.role === 'ACTIVE', HA_FAILOVER_WITHIN_MS, 250);
      since('pauseToActiveMs', t0);
      await new Promise((r) => setTimeout(r, Math.max(0, HA_PAUSE_MS - (Date.now() - t0))));
    } finally {
      await docker(['unpause', id]);
    }
    await waitFor(`${before.active} restarted by the restart policy`, async () => (await restarts()) > restartsBefore, 30_000, 250);
    await waitForPair(`${before.active} STANDBY again`, (p) => p.standby === before.active && p.epoch > before.epoch, 60_000);
    expect(await catSha('/ha/second.bin')).toBe(sha256(second));
  });
});
