/**
 * NameNode high availability on real processes: etcd, two NameNodes (--ha-etcd), three DataNodes
 * that know both. Kill -9 of the active, SIGSTOP of the active past its lease, graceful
 * `ha failover`: each time the other NameNode takes over, every acknowledged file reads back
 * byte-identical, a new write succeeds, no DataNode is declared DEAD because of the failover, and
 * the deposed active exits (75) without acting.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Liveness } from '../support/cluster';
import { HaCluster, type HaNameNode, describeWithEtcd } from '../support/ha';
import { waitFor } from '../support/wait';

jest.setTimeout(180_000);

const HA_LIVENESS: Liveness = { heartbeatIntervalMs: 100, staleAfter: 3, deadAfter: 10 };

describeWithEtcd('NameNode HA on etcd (real processes)', () => {
  let c: HaCluster;
  const files = new Map<string, Buffer>();

  beforeAll(async () => {
    // 100 ms beats, DEAD after 10 missed (1 s): a failover takes about a lease TTL (2 s), so a
    // promotion that lost the beats the standby heard would still show as DEADs, while a loaded
    // CI box's scheduling jitter (a 400-500 ms gap) does not.
    c = await HaCluster.start(2, 3, HA_LIVENESS);
  });
  afterAll(async () => {
    await c?.stop();
  });

  function put(name: string, bytes = 200_000): void {
    const data = randomBytes(bytes);
    const local = path.join(c.root, `${name}.src`);
    fs.writeFileSync(local, data);
    const r = c.cli('put', local, `/ha/${name}`);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: expect.any(String) });
    files.set(name, data);
  }

  function readAll(): void {
    for (const [name, data] of files) {
      const out = path.join(c.root, `${name}.out`);
      fs.rmSync(out, { force: true });
      const r = c.cli('get', `/ha/${name}`, out);
      expect({ name, code: r.code, err: r.err }).toEqual({ name, code: 0, err: expect.any(String) });
      expect(fs.readFileSync(out).equals(data)).toBe(true);
    }
  }

  /** DEAD transitions logged by `nn` after its promotion to `epoch`. */
  function deadAfterPromotion(nn: HaNameNode): unknown[] {
    const lines = nn.proc.lines;
    const from = lines.findIndex((l) => l.event === 'ha-role' && l.role === 'ACTIVE');
    return lines.slice(Math.max(0, from)).filter((l) => l.event === 'transition' && l.to === 'DEAD');
  }

  test('one active, one standby; the standby answers NOT_ACTIVE and follows the namespace', async () => {
    const status = c.status();
    expect(status.map((s) => s.role).sort()).toEqual(['ACTIVE', 'STANDBY']);
    expect(new Set(status.map((s) => s.epoch)).size).toBe(1);
    c.cli('mkdir', '-p', '/ha');
    put('a');
    put('b', 3_000_000);
    const standby = c.namenodes.find((n) => n.id !== c.active()!.id)!;
    const direct = c.cli('ls', '/ha'); // through the list: fails over from the standby if it is first
    expect(direct.code).toBe(0);
    // The standby's own view (its HTTP listing) has the files within a moment.
    await waitFor('standby lists /ha/a and /ha/b', async () => {
      const res = await fetch(`http://127.0.0.1:${standby.httpPort}/api/files?path=/ha`).catch(() => undefined);
      if (!res?.ok) return undefined;
      const text = await res.text();
      return text.includes('/ha/a') && text.includes('/ha/b') ? true : undefined;
    }, 10_000);
    readAll();
  });

  test('kill -9 of the active: the standby takes over within the lease, data intact, no DataNode DEAD', async () => {
    const old = c.active()!;
    const oldEpoch = c.status().find((s) => s.role === 'ACTIVE')!.epoch;
    const killedAt = Date.now();
    await old.proc.kill9();
    const next = await c.waitForActive(old.id);
    // The first write through the new active (the client fails over on its own).
    put('after-kill');
    const failoverMs = Date.now() - killedAt;
    console.log(`failover after kill -9: ${failoverMs} ms to the first acknowledged write (lease TTL ${c.leaseTtlMs} ms)`);
    const epoch = c.status().find((s) => s.role === 'ACTIVE')!.epoch;
    expect(epoch).toBeGreaterThan(oldEpoch);
    readAll();
    await c.waitForReport('3 LIVE at the new active', (r) => r.live === 3, 20_000, next);
    expect(deadAfterPromotion(next)).toEqual([]);
    // The old active comes back as a standby.
    await c.startNameNode(old.id);
    await waitFor('old active is STANDBY', () => c.status().some((s) => s.address.endsWith(`:${old.rpcPort}`) && s.role === 'STANDBY'), 20_000);
  });

  test('SIGSTOP of the active past its lease: the other takes over; on SIGCONT the old one acts on nothing and exits 75', async () => {
    const old = c.active()!;
    old.proc.signal('SIGSTOP');
    const next = await c.waitForActive(old.id);
    put('during-pause');
    const linesBefore = old.proc.lines.length;
    old.proc.signal('SIGCONT');
    const exit = await old.proc.waitForExit(20_000);
    expect(exit.code).toBe(75);
    const after = old.proc.lines.slice(linesBefore);
    expect(after.some((l) => l.event === 'ha-deposed' || l.event === 'ha-fenced-exit')).toBe(true);
    // Nothing it did after resuming reached etcd: the namespace is the new active's.
    readAll();
    expect(deadAfterPromotion(next)).toEqual([]);
    await c.startNameNode(old.id);
    await waitFor('old active is STANDBY', () => c.status().some((s) => s.address.endsWith(`:${old.rpcPort}`) && s.role === 'STANDBY'), 20_000);
  });

  test('graceful `minidfs ha failover` hands over to the standby', async () => {
    const old = c.active()!;
    const r = c.cli('ha', 'failover');
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: expect.any(String) });
    const next = await c.waitForActive(old.id);
    expect(next.id).not.toBe(old.id);
    const exit = await old.proc.waitForExit(20_000);
    expect(exit.code).toBe(75);
    put('after-handover');
    readAll();
    expect(deadAfterPromotion(next)).toEqual([]);
  });
});
