/**
 * What the CLI says when it cannot reach a NameNode: one line that names the address tried, what
 * was found there and how to point elsewhere; a malformed --namenode is refused before any
 * connection; a port that accepts but never answers fails within the connect timeout, not the
 * 30 s call deadline.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NAMENODE_CONNECT_TIMEOUT_MS } from '@minidfs/client';
import { CLI } from '../support/processes';

function cli(args: string[]): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MINIDFS_NAMENODE: '' } });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('exit', (code) => resolve({ code, stderr, ms: Date.now() - started }));
  });
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

const HINT = 'set --namenode or MINIDFS_NAMENODE';

describe('CLI connection errors', () => {
  jest.setTimeout(60_000);

  it('nothing listening: connection refused, with the address and the fix', async () => {
    const free = net.createServer();
    const port = await listen(free);
    await new Promise((r) => free.close(r));
    const r = await cli(['ls', '/', '--namenode', `127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`minidfs: UNAVAILABLE: no NameNode at 127.0.0.1:${port}: connection refused — is the cluster running? ${HINT}`);
  });

  it.each([['nonsense:xyz'], ['127.0.0.1:99999'], ['a:b:c'], [':8020']])('a malformed --namenode %s is refused before connecting', async (value) => {
    const r = await cli(['ls', '/', '--namenode', value]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`INVALID_ARGUMENT: expected HOST:PORT (IPv6 as [ADDRESS]:PORT), got ${JSON.stringify(value)}`);
  });

  it('the HTTP port instead of the RPC port: says it is not a NameNode RPC port', async () => {
    const server = http.createServer((_req, res) => res.end('hello'));
    const port = await listen(server);
    try {
      for (const command of [['ls', '/'], ['fsck']]) {
        const r = await cli([...command, '--namenode', `127.0.0.1:${port}`]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`something at 127.0.0.1:${port} accepts connections but does not speak the NameNode's RPC protocol`);
      }
    } finally {
      server.close();
    }
  });

  it('a port that accepts but never answers fails within the connect timeout', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    const port = await listen(server);
    try {
      const r = await cli(['fsck', '--namenode', `127.0.0.1:${port}`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`127.0.0.1:${port}`);
      expect(r.stderr).toContain(HINT);
      expect(r.ms).toBeLessThan(NAMENODE_CONNECT_TIMEOUT_MS * 3 + 5_000);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});

describe('NameNode settings refused before anything starts', () => {
  jest.setTimeout(60_000);

  /** `minidfs namenode` with `args`: must exit on its own (any port it might bind is 0, and a 20 s timeout stops a NameNode that started). */
  function namenode(args: string[]): { code: number | null; stderr: string } {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-settings-'));
    try {
      const r = spawnSync(process.execPath, [CLI, 'namenode', '--data-dir', dataDir, '--rpc-port', '0', '--http-port', '0', ...args],
        { encoding: 'utf8', timeout: 20_000, env: { ...process.env, MINIDFS_NAMENODE: '' } });
      return { code: r.status, stderr: r.stderr };
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it.each([
    [['--stale-after', '0'], '--stale-after'],
    [['--heartbeat-interval-ms', '5'], '--heartbeat-interval-ms'],
    [['--safe-mode-threshold', '0'], '--safe-mode-threshold'],
    [['--peer-probe-fanout', '1.5'], '--peer-probe-fanout'],
    [['--stale-after', '3', '--dead-after', '3'], '--dead-after'],
    [['--replication', '2', '--min-replication', '3'], '--min-replication'],
  ])('%j: exit 1, the message names %s', (args, flag) => {
    const r = namenode(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(flag);
    expect(r.stderr).not.toContain('namenode started');
  });
});
