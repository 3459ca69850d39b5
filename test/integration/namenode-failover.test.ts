/**
 * Client failover between NameNodes of an HA group, over real gRPC and real sockets: fake
 * ClientProtocol servers in this process (test/support/fake-namenode.ts), one STANDBY (NOT_ACTIVE
 * to everything but GetHaStatus) and one ACTIVE. The client finds the active, remembers it, follows
 * a role swap, skips an unreachable or stalled NameNode, does not fail over on an ordinary error,
 * and with no active at all fails with NoActiveNameNodeError once its failover deadline passes.
 * Then the built CLI (`node packages/cli/dist/main.js`): `ha status [--json]`, `ha failover`, a
 * file command and `report --json` against the same fakes, with `--namenode a,b` and
 * MINIDFS_NAMENODE.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { Writable } from 'node:stream';
import winston from 'winston';
import { DfsClient, NameNodeRpc, NoActiveNameNodeError } from '@minidfs/client';
import { FileNotFoundError, NotActiveError } from '@minidfs/common';
import { FakeNameNode } from '../support/fake-namenode';
import { CLI } from '../support/processes';

jest.setTimeout(60_000);

type LogLine = Record<string, unknown>;

function capturingLogger(): { logger: winston.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({ write(chunk: Buffer, _encoding, callback) { lines.push(JSON.parse(chunk.toString()) as LogLine); callback(); } });
  return { logger: winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] }), lines };
}

/** An address nothing listens on. */
async function closedAddress(): Promise<string> {
  const server = net.createServer();
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

function cli(args: string[], env: NodeJS.ProcessEnv = { MINIDFS_NAMENODE: '' }): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MINIDFS_LOG_LEVEL: '', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('exit', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

describe('client failover between NameNodes', () => {
  let standby: FakeNameNode;
  let active: FakeNameNode;
  const others: FakeNameNode[] = [];
  const clients: Array<{ close(): void }> = [];

  beforeEach(async () => {
    standby = await FakeNameNode.start('nn1', 'STANDBY', 3);
    active = await FakeNameNode.start('nn2', 'ACTIVE', 3);
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const nn of [standby, active, ...others.splice(0)]) await nn.stop();
  });

  function client(namenode: string | string[], extra: Partial<ConstructorParameters<typeof DfsClient>[0]> = {}): DfsClient {
    const c = new DfsClient({ namenode, safeModeWaitMs: 0, ...extra });
    clients.push(c);
    return c;
  }

  test('standby first: the call fails over to the active, succeeds, and later calls go straight there', async () => {
    const { logger, lines } = capturingLogger();
    const c = client(`${standby.address},${active.address}`, { logger });
    await c.mkdir('/a');
    expect((await c.stat('/a')).isDirectory).toBe(true);
    expect(standby.count('Mkdirs')).toBe(1);
    expect(active.count('Mkdirs')).toBe(1);
    expect(standby.count('GetFileInfo')).toBe(0);
    const failovers = lines.filter((l) => l.event === 'namenode-failover');
    expect(failovers).toEqual([expect.objectContaining({
      level: 'warn', method: 'Mkdirs', from: standby.address, to: active.address, reason: 'NOT_ACTIVE', attempt: 1, delayMs: 0,
    })]);
    expect(String(failovers[0]!.error)).toContain('NOT_ACTIVE: nn1 is STANDBY');
  });

  test('the roles swap: the next call fails over back and succeeds', async () => {
    const c = client([standby.address, active.address]);
    await c.mkdir('/a');
    standby.role = 'ACTIVE';
    standby.epoch = 4;
    active.role = 'STANDBY';
    await c.mkdir('/b');
    expect(standby.count('Mkdirs')).toBe(2);
    expect(active.count('Mkdirs')).toBe(2);
    expect((await c.stat('/b')).path).toBe('/b');
    expect(active.count('GetFileInfo')).toBe(0);
  });

  test('an unreachable NameNode is skipped (UNREACHABLE), then the standby (NOT_ACTIVE)', async () => {
    const { logger, lines } = capturingLogger();
    const closed = await closedAddress();
    const c = client(`${closed},${standby.address},${active.address}`, { logger });
    await c.mkdir('/x');
    const failovers = lines.filter((l) => l.event === 'namenode-failover');
    expect(failovers.map((l) => [l.from, l.to, l.reason, l.attempt])).toEqual([
      [closed, standby.address, 'UNREACHABLE', 1],
      [standby.address, active.address, 'NOT_ACTIVE', 2],
    ]);
    expect(String(failovers[0]!.error)).toContain(`no NameNode at ${closed}: connection refused`);
  });

  test('a stalled NameNode (deadline passed after the request was sent): the call is resent to the other', async () => {
    const stalled = await FakeNameNode.start('nn0', 'ACTIVE', 2);
    others.push(stalled);
    stalled.hang.add('Mkdirs');
    const { logger, lines } = capturingLogger();
    const rpc = new NameNodeRpc({ addresses: [stalled.address, active.address], logger, safeModeWaitMs: 0, deadlineMs: 300 });
    clients.push(rpc);
    const res = await rpc.call('Mkdirs', { path: '/m' });
    expect(res.status?.path).toBe('/m');
    expect(stalled.count('Mkdirs')).toBe(1);
    expect(active.count('Mkdirs')).toBe(1);
    expect(lines.filter((l) => l.event === 'namenode-failover').map((l) => l.reason)).toEqual(['LOST']);
    expect(rpc.activeAddress).toBe(active.address);
  });

  test('an ordinary error from the active is the answer: no failover', async () => {
    const c = client([standby.address, active.address]);
    await expect(c.stat('/missing')).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(c.stat('/missing')).rejects.toBeInstanceOf(FileNotFoundError);
    expect(standby.count('GetFileInfo')).toBe(1);
    expect(active.count('GetFileInfo')).toBe(2);
  });

  test('one NameNode, a standby: NotActiveError at once, as without HA', async () => {
    const c = client(standby.address);
    await expect(c.stat('/')).rejects.toBeInstanceOf(NotActiveError);
    expect(standby.count('GetFileInfo')).toBe(1);
  });

  test('every NameNode a standby: NoActiveNameNodeError (NOT_ACTIVE) once the failover deadline passes', async () => {
    active.role = 'STANDBY';
    const c = client([standby.address, active.address], { failover: { deadlineMs: 600 } });
    const started = Date.now();
    const err = await c.mkdir('/never').catch((e: unknown) => e);
    const ms = Date.now() - started;
    expect(err).toBeInstanceOf(NoActiveNameNodeError);
    const e = err as NoActiveNameNodeError;
    expect(e.code).toBe('NOT_ACTIVE');
    expect(e.message).toContain(`no active NameNode among ${standby.address}, ${active.address}: Mkdirs failed ${e.attempts} times`);
    expect([...e.lastErrors.keys()].sort()).toEqual([standby.address, active.address].sort());
    // Tries at 0, 0, 50, 150, 350 ms; the next (750 ms) would pass the 600 ms deadline.
    expect(e.attempts).toBe(5);
    expect(ms).toBeGreaterThanOrEqual(300);
    expect(ms).toBeLessThan(3000);
    expect(standby.count('Mkdirs') + active.count('Mkdirs')).toBe(5);
  });

  test('one unreachable, one standby: NoActiveNameNodeError with code UNAVAILABLE', async () => {
    const c = client([await closedAddress(), standby.address], { failover: { deadlineMs: 300 } });
    const err = await c.stat('/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoActiveNameNodeError);
    expect((err as NoActiveNameNodeError).code).toBe('UNAVAILABLE');
  });

  test('haStatus asks every NameNode, in parallel', async () => {
    const closed = await closedAddress();
    const c = client([standby.address, active.address, closed]);
    const s = await c.haStatus();
    expect(s.map((x) => [x.address, x.role, x.epoch])).toEqual([
      [standby.address, 'STANDBY', 3], [active.address, 'ACTIVE', 3], [closed, 'UNREACHABLE', 0],
    ]);
    expect(s[1]!.namenodeId).toBe('nn2');
    expect(s[2]!.error).toContain('UNAVAILABLE: no NameNode at');
  });
});

describe('CLI against an HA pair', () => {
  let standby: FakeNameNode;
  let active: FakeNameNode;

  beforeEach(async () => {
    standby = await FakeNameNode.start('nn1', 'STANDBY', 3);
    active = await FakeNameNode.start('nn2', 'ACTIVE', 3);
  });

  afterEach(async () => {
    await standby.stop();
    await active.stop();
  });

  test('ha status --json: one entry per configured NameNode, error only when unreachable; exit 0 with exactly one ACTIVE', async () => {
    const closed = await closedAddress();
    const r = await cli(['ha', 'status', '--json', '--namenode', `${standby.address},${active.address},${closed}`]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { namenodes: Array<Record<string, unknown>> };
    expect(Object.keys(json)).toEqual(['namenodes']);
    expect(json.namenodes.slice(0, 2)).toEqual([
      { address: standby.address, role: 'STANDBY', epoch: 3 },
      { address: active.address, role: 'ACTIVE', epoch: 3 },
    ]);
    expect(Object.keys(json.namenodes[2]!)).toEqual(['address', 'role', 'epoch', 'error']);
    expect(json.namenodes[2]).toMatchObject({ address: closed, role: 'UNREACHABLE', epoch: 0 });
    expect(String(json.namenodes[2]!.error)).toContain(`no NameNode at ${closed}: connection refused`);
  });

  test('ha status from MINIDFS_NAMENODE, text: no ACTIVE is exit 1', async () => {
    active.role = 'STANDBY';
    const r = await cli(['ha', 'status'], { MINIDFS_NAMENODE: `${standby.address},${active.address}` });
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      `${standby.address}  STANDBY  epoch 3`,
      `${active.address}  STANDBY  epoch 3`,
    ]);
  });

  test('ha status on a NameNode without HA: NONE (HA off), role NONE in JSON, exit 1', async () => {
    active.role = 'HA_ROLE_UNSPECIFIED';
    const text = await cli(['ha', 'status', '--namenode', active.address]);
    expect(text.stdout.trim()).toBe(`${active.address}  NONE (HA off)`);
    expect(text.code).toBe(1);
    const json = await cli(['ha', 'status', '--json', '--namenode', active.address]);
    expect(JSON.parse(json.stdout)).toEqual({ namenodes: [{ address: active.address, role: 'NONE', epoch: 0 }] });
  });

  test('a file command with --namenode standby,active fails over and succeeds', async () => {
    const r = await cli(['mkdir', '/d', '--namenode', `${standby.address},${active.address}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const stat = await cli(['stat', '/d', '--namenode', `${standby.address},${active.address}`]);
    expect(JSON.parse(stat.stdout)).toMatchObject({ path: '/d', isDirectory: true });
  });

  test('a malformed address among several is refused before connecting', async () => {
    const r = await cli(['ls', '/', '--namenode', `${active.address},a:b:c`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INVALID_ARGUMENT: expected HOST:PORT (IPv6 as [ADDRESS]:PORT), got "a:b:c"');
  });

  test('ha failover: the active resigns, the standby takes over with a higher epoch, the CLI prints it', async () => {
    const next = standby;
    active.onFailover = () => setTimeout(() => { next.role = 'ACTIVE'; next.epoch = 4; }, 300);
    const r = await cli(['ha', 'failover', '--namenode', `${standby.address},${active.address}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(new RegExp(`^${active.address} resigned epoch 3; new active ${standby.address} \\(epoch 4\\) after \\d+ ms$`));
    expect(active.count('HaFailover')).toBe(1);
    expect(standby.count('HaFailover')).toBe(0);
  });

  test('ha failover: the resigning NameNode goes away without answering: the CLI still waits for the new active', async () => {
    active.exitOnFailover = true;
    const next = standby;
    active.onFailover = () => setTimeout(() => { next.role = 'ACTIVE'; next.epoch = 5; }, 300);
    const r = await cli(['ha', 'failover', '--namenode', `${standby.address},${active.address}`]);
    expect(r.stderr).toContain(`no answer to HaFailover from ${active.address}`);
    expect(r.stdout.trim()).toMatch(new RegExp(`^${active.address} resigned epoch 3; new active ${standby.address} \\(epoch 5\\) after \\d+ ms$`));
  });

  test('ha failover: no new active within --wait-ms is exit 1', async () => {
    const r = await cli(['ha', 'failover', '--wait-ms', '500', '--namenode', `${standby.address},${active.address}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`UNAVAILABLE: ${active.address} resigned epoch 3, but no NameNode became ACTIVE with a higher epoch within 500 ms`);
  });

  test('report --json adds namenodes, shaped as ha status --json', async () => {
    const r = await cli(['report', '--json', '--namenode', `${standby.address},${active.address}`]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json.namenodes).toEqual([
      { address: standby.address, role: 'STANDBY', epoch: 3 },
      { address: active.address, role: 'ACTIVE', epoch: 3 },
    ]);
    expect(json).toMatchObject({ datanodes: [], live: 0, stale: 0, dead: 0, unreachable: 0 });
    const text = await cli(['report', '--namenode', `${standby.address},${active.address}`]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`NameNodes:\n  ${standby.address}  STANDBY  epoch 3\n  ${active.address}  ACTIVE   epoch 3\n`);
  });
});
