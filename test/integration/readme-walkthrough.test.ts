/**
 * README.md's walkthrough, run as printed: the test reads the shell block after "In another
 * terminal" from README.md, runs each line with bash (`npx minidfs` -> this checkout's CLI, the
 * `<dn2's pid>` placeholder -> the pid from the cluster's banner) and checks what the line's
 * comment promises. A line this test does not know fails it, so the README cannot drift from the
 * CLI unnoticed. The cluster is `minidfs cluster` with its defaults (1 s beats), except for ports
 * (free ones; the commands reach it through MINIDFS_NAMENODE) so it can run beside other suites.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pidAlive } from '@minidfs/common';
import { CLI } from '../support/processes';
import { repoRoot } from '../support/paths';
import { waitFor } from '../support/wait';
import { freeClusterPorts } from '../support/ports';

function walkthrough(): string[] {
  const readme = fs.readFileSync(path.join(repoRoot(), 'README.md'), 'utf8');
  const from = readme.indexOf('In another terminal');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from));
  if (from < 0 || !block) throw new Error('README.md: no walkthrough block after "In another terminal"');
  return block[1].split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
}

describe('README walkthrough, as printed', () => {
  jest.setTimeout(180_000);
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-readme-'));
  let cluster: ChildProcess | undefined;
  const background: ChildProcess[] = [];

  afterAll(() => {
    for (const p of [...background, cluster]) if (p && p.exitCode === null) p.kill('SIGKILL');
  });

  it('runs every step and each does what its comment says', async () => {
    const ports = await freeClusterPorts(3);
    const env = { ...process.env, MINIDFS_NAMENODE: `127.0.0.1:${ports.rpc}` };
    let banner = '';
    cluster = spawn(process.execPath, [CLI, 'cluster', ...ports.args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    cluster.stdout!.on('data', (d: Buffer) => { banner += d.toString(); });
    await waitFor('cluster banner', () => /Ctrl-C stops the cluster/.test(banner), 60_000);
    const dn2Pid = Number(/^\s+dn2\s+\S+\s+pid (\d+)/m.exec(banner)![1]);

    const run = (line: string) => {
      const r = spawnSync('bash', ['-c', line], { cwd, env, encoding: 'utf8', timeout: 60_000 });
      return { code: r.status, out: `${r.stdout}${r.stderr}` };
    };
    const cli = (args: string) => run(`node ${JSON.stringify(CLI)} ${args}`);
    const reportJson = () => JSON.parse(cli('report --json').out) as { datanodes: Array<{ id: string; state: string; blocks: number }>; live: number };
    let reports = 0, fscks = 0;

    for (const printed of walkthrough()) {
      const line = printed.replace(/\s+#.*$/, '').replace(/\bnpx minidfs\b/g, `node ${JSON.stringify(CLI)}`).replace(/<dn2's pid>/g, String(dn2Pid));
      if (/^head -c \d+ \/dev\/urandom > \S+$/.test(line)) {
        expect(run(line).code).toBe(0);
      } else if (/ put /.test(line)) {
        expect(run(line)).toMatchObject({ code: 0 });
      } else if (/ report$/.test(line) && reports === 0) {
        reports += 1;
        const out = run(line).out;
        expect(out).toMatch(/3 live/);
        // The three DataNodes share this machine's filesystem: its capacity is counted once.
        expect(out).toMatch(/Capacity: +\S+ \S+ on 1 filesystem \(3 DataNodes share it: counted once\)/);
        // Used bytes come with each DataNode's next heartbeat (up to one interval after the put).
        await waitFor('report: used bytes of the put', () => /Used: +\d+\.\d MiB by minidfs blocks/.test(run(line).out), 10_000, 250);
      } else if (/ report$/.test(line)) {
        reports += 1;
        expect(run(line).out).toMatch(/dn2\s+\S+\s+(STALE|DEAD)/);
        await waitFor('dn2 DEAD in report', () => /dn2\s+\S+\s+DEAD/.test(run(line).out), 10_000, 200);
      } else if (/^kill -9 \d+$/.test(line)) {
        expect(run(line).code).toBe(0);
      } else if (/ fsck$/.test(line)) {
        fscks += 1;
        const healthy = await waitFor('fsck HEALTHY (exit 0)', () => { const r = run(line); return r.code === 0 && r.out; }, 60_000, 250);
        expect(healthy).toMatch(/HEALTHY/);
        if (fscks === 2) {
          // The restarted dn2's extra replicas are trimmed: every block on exactly 2 nodes.
          await waitFor('excess replicas trimmed', () => {
            const r = reportJson();
            const fsck = JSON.parse(cli('fsck --json').out) as { blocks: number; overReplicated: number };
            return r.live === 3 && fsck.overReplicated === 0 && r.datanodes.reduce((s, d) => s + d.blocks, 0) === fsck.blocks * 2;
          }, 60_000, 250);
        }
      } else if (/ get (\S+) (\S+)$/.test(line)) {
        expect(run(line).code).toBe(0);
        const [, , local] = / get (\S+) (\S+)$/.exec(line)!;
        expect(Buffer.compare(fs.readFileSync(path.join(cwd, local)), fs.readFileSync(path.join(cwd, 'some-file')))).toBe(0);
      } else if (/ datanode --data-dir \S+ &$/.test(line)) {
        const child = spawn('bash', ['-c', `exec ${line.replace(/&$/, '')}`], { cwd, env, stdio: 'ignore' });
        background.push(child);
        await waitFor('dn2 back: 3 live', () => reportJson().live === 3, 30_000, 200);
      } else {
        throw new Error(`README walkthrough step this test does not know: ${printed}`);
      }
    }
    expect(reports).toBe(2);
    expect(fscks).toBe(2);

    // Ctrl-C of the cluster stops the hand-restarted dn2 too.
    const restarted = background.at(-1)!;
    cluster.kill('SIGINT');
    await waitFor('cluster exited', () => cluster!.exitCode !== null, 30_000);
    await waitFor('restarted dn2 stopped with the cluster', () => restarted.exitCode !== null || !pidAlive(restarted.pid!), 30_000);
  });
});
