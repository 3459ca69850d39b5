/**
 * `minidfs cluster` (what `npm start` runs) as a supervisor, on real processes: its pid is printed;
 * no child outlives it, whether it is stopped with SIGTERM, killed with SIGKILL, or orphaned (its
 * parent, npm, killed without passing the signal on); a second cluster on a busy data dir or busy
 * ports fails at once with exit 1 and a one-line reason.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pidAlive } from '@minidfs/common';
import { describeWithEtcd } from '../support/ha';
import { freeClusterPorts } from '../support/ports';
import { CLI } from '../support/processes';
import { waitFor } from '../support/wait';

/** Fast liveness so the cluster is up quickly. */
const FAST_ARGS = ['--heartbeat-interval-ms', '200', '--stale-after', '2', '--dead-after', '4'];

/** A running `minidfs cluster` and what its banner said. */
class Supervised {
  out = '';
  err = '';
  exit: number | null | undefined;
  readonly exited: Promise<number | null>;
  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d: Buffer) => { this.out += d.toString(); });
    proc.stderr!.on('data', (d: Buffer) => { this.err += d.toString(); });
    this.exited = new Promise((resolve) => proc.on('exit', (code) => { this.exit = code; resolve(code); }));
  }

  /** Waits for the banner; returns the supervisor pid and each node's pid. */
  async banner(): Promise<{ supervisor: number; namenode: number; datanodes: Map<string, number> }> {
    await waitFor('cluster banner', () => (this.exit !== undefined ? Promise.reject(new Error(`exited ${this.exit}: ${this.err}`)) : /Ctrl-C stops the cluster/.test(this.out)), 60_000);
    const supervisor = Number(/Supervisor\s+pid (\d+)/.exec(this.out)![1]);
    const namenode = Number(/NameNode RPC\s+\S+\s+pid (\d+)/.exec(this.out)![1]);
    const datanodes = new Map<string, number>();
    for (const m of this.out.matchAll(/^\s+(dn\d+)\s+\S+\s+pid (\d+)/gm)) datanodes.set(m[1], Number(m[2]));
    return { supervisor, namenode, datanodes };
  }
}

function startCluster(root: string, extra: string[]): Supervised {
  return new Supervised(spawn(process.execPath, [CLI, 'cluster', '--data-dir', root, ...FAST_ARGS, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

function tmpRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-cluster-'));
}

/** Every pid of the cluster's nodes: NameNode and DataNodes, from their pid files and the banner. */
function nodePids(root: string, b: { namenode: number; datanodes: Map<string, number> }): number[] {
  return [b.namenode, ...b.datanodes.values(), ...fs.readdirSync(root).flatMap((d) => {
    try {
      return [Number(fs.readFileSync(path.join(root, d, 'datanode.pid'), 'utf8'))];
    } catch {
      return [];
    }
  })];
}

describe('minidfs cluster supervisor', () => {
  jest.setTimeout(120_000);

  it('prints its pid; SIGTERM stops every node; a second cluster on the same data dir or ports fails at once', async () => {
    const root = tmpRoot();
    const ports = await freeClusterPorts(2);
    const c = startCluster(root, ['--datanodes', '2', ...ports.args]);
    const b = await c.banner();
    const { supervisor, datanodes } = b;
    expect(supervisor).toBe(c.proc.pid);
    expect(datanodes.size).toBe(2);

    // Same data dir: refused by the lock, before any port is touched.
    const again = startCluster(root, ['--datanodes', '2', ...(await freeClusterPorts(2)).args]);
    expect(await again.exited).toBe(1);
    expect(again.err.trim().split('\n')).toHaveLength(1);
    expect(again.err).toMatch(new RegExp(`in use by another minidfs cluster \\(pid ${supervisor}\\)`));

    // Other data dir, same ports: refused by the port check.
    const busy = startCluster(tmpRoot(), ['--datanodes', '2', ...ports.args]);
    expect(await busy.exited).toBe(1);
    expect(busy.err).toMatch(new RegExp(`port ${ports.rpc} \\(NameNode RPC`));

    const pids = nodePids(root, b);
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    for (const pid of pids) expect(pidAlive(pid)).toBe(false);
    expect(fs.existsSync(path.join(root, 'cluster.pid'))).toBe(false);
  });

  it('SIGKILL of the supervisor: its children stop by themselves (IPC channel closed)', async () => {
    const root = tmpRoot();
    const c = startCluster(root, ['--datanodes', '2', ...(await freeClusterPorts(2)).args]);
    const pids = nodePids(root, await c.banner());
    c.proc.kill('SIGKILL');
    await c.exited;
    await waitFor('every node gone', () => pids.every((p) => !pidAlive(p)), 20_000);
  });

  it('its parent killed without passing the signal on (npm start): the supervisor stops the cluster', async () => {
    const root = tmpRoot();
    const ports = await freeClusterPorts(1);
    // A stand-in for npm: starts the cluster, prints its pid, then is SIGKILLed.
    const wrapper = spawn(process.execPath, ['-e', `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ${JSON.stringify([CLI, 'cluster', '--data-dir', root, '--datanodes', '1', ...FAST_ARGS, ...ports.args])}, { stdio: ['ignore', 'pipe', 'inherit'] });
      c.stdout.pipe(process.stdout);
      setInterval(() => {}, 1000);
    `], { stdio: ['ignore', 'pipe', 'pipe'] });
    const w = new Supervised(wrapper);
    const b = await w.banner();
    const pids = [b.supervisor, ...nodePids(root, b)];
    wrapper.kill('SIGKILL');
    await w.exited;
    await waitFor('supervisor and nodes gone', () => pids.every((p) => !pidAlive(p)), 20_000);
  });
});

describeWithEtcd('minidfs cluster --ha', () => {
  jest.setTimeout(120_000);

  it('two NameNodes on an etcd it starts; one that steps down is restarted as a standby; SIGKILL of the supervisor stops etcd too', async () => {
    const root = tmpRoot();
    const ports = await freeClusterPorts(2);
    // nn2 takes the ports after nn1's; etcd two ports in the DataNodes' range gap (dn+50, dn+51).
    const c = startCluster(root, ['--datanodes', '2', '--ha', '--rpc-port', String(ports.rpc), '--http-port', String(ports.rpc + 2),
      '--datanode-port', String(ports.dn), '--etcd-port', String(ports.dn + 50)]);
    await waitFor('cluster banner', () => (c.exit !== undefined ? Promise.reject(new Error(`exited ${c.exit}: ${c.err}`)) : /Ctrl-C stops the cluster/.test(c.out)), 60_000);
    const list = /ha status --namenode (\S+)/.exec(c.out)![1];
    const status = () => {
      const r = spawnSync(process.execPath, [CLI, 'ha', 'status', '--json', '--namenode', list], { encoding: 'utf8' });
      return (JSON.parse(r.stdout) as { namenodes: Array<{ address: string; role: string; epoch: number }> }).namenodes;
    };
    await waitFor('one ACTIVE, one STANDBY', () => status().map((n) => n.role).sort().join() === 'ACTIVE,STANDBY', 20_000);
    const before = status().find((n) => n.role === 'ACTIVE')!;
    // A graceful hand-over: the old active exits 75 and the supervisor restarts it; it rejoins as STANDBY.
    const r = spawnSync(process.execPath, [CLI, 'ha', 'failover', '--namenode', list], { encoding: 'utf8' });
    expect({ code: r.status, err: r.stderr }).toEqual({ code: 0, err: expect.any(String) });
    await waitFor('the old active back as STANDBY, the other ACTIVE at a higher epoch', () => {
      const s = status();
      return s.some((n) => n.address === before.address && n.role === 'STANDBY') && s.some((n) => n.role === 'ACTIVE' && n.epoch > before.epoch);
    }, 30_000);
    expect(c.out).toMatch(/stepped down \(exit 75\): restarting it as a standby/);
    const etcdPid = Number(spawnSync('pgrep', ['-f', `^/usr/bin/etcd .*${path.join(root, 'etcd')}`], { encoding: 'utf8' }).stdout.trim().split('\n')[0]);
    expect(etcdPid).toBeGreaterThan(0);
    c.proc.kill('SIGKILL');
    await c.exited;
    await waitFor('etcd gone', () => !pidAlive(etcdPid), 20_000);
  });
});
