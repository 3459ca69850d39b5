/**
 * Docker for end-to-end tests. `dockerEngineGate()` decides, once and synchronously (jest must
 * know at collection time whether to skip), whether a real engine is usable: it needs root, runs
 * `../shared/tools/docker-harness.sh up` (which installs docker + docker-compose, starts dockerd and
 * builds the local base images, since nothing can be pulled here) and checks `docker compose`.
 * `ComposeProject` runs `docker compose -p NAME -f ...` with deadlines and finds containers by
 * `docker compose ps -q SERVICE` (compose v1 and v2 name containers differently, ids are stable).
 *
 * MINIDFS_E2E_DOCKER=0 skips the docker tests (MINIDFS_E2E_DOCKER_REASON says why, for the skip
 * message); MINIDFS_E2E_DOCKER=1 makes an unavailable engine a failure instead of a skip.
 * DOCKER_HARNESS points at another harness script.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface EngineGate {
  available: boolean;
  /** Why the engine is not available (or how it was found), for the skip message. */
  reason: string;
  /** When true, an unavailable engine must fail the suite rather than skip it. */
  required: boolean;
  compose: string[];
  harnessMs: number;
}

const HARNESS_TIMEOUT_MS = 20 * 60_000;

function tail(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Synchronous on purpose: the answer decides between `describe` and `describe.skip`. */
export function dockerEngineGate(): EngineGate {
  const mode = process.env.MINIDFS_E2E_DOCKER;
  const required = mode === '1';
  const no = (reason: string, harnessMs = 0): EngineGate => ({ available: false, reason, required, compose: [], harnessMs });
  if (mode === '0') return no(process.env.MINIDFS_E2E_DOCKER_REASON ?? 'disabled by MINIDFS_E2E_DOCKER=0');
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return no('not root: the docker harness (../shared/tools/docker-harness.sh) must run as root to start an engine');
  }
  const harness = process.env.DOCKER_HARNESS ?? path.resolve(REPO_ROOT, '../shared/tools/docker-harness.sh');
  if (!fs.existsSync(harness)) return no(`no docker harness at ${harness} (set DOCKER_HARNESS)`);
  const t0 = Date.now();
  const up = spawnSync('bash', [harness, 'up'], { encoding: 'utf8', timeout: HARNESS_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  const harnessMs = Date.now() - t0;
  if (up.error || up.status !== 0) {
    const why = up.error ? up.error.message : `exit code ${up.status}`;
    return no(`\`bash ${harness} up\` failed (${why}):\n${tail(`${up.stdout}\n${up.stderr}`)}`, harnessMs);
  }
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 30_000 });
  if (info.status !== 0) return no(`docker engine does not answer after the harness: ${tail(info.stderr ?? '')}`, harnessMs);
  for (const compose of [['docker', 'compose'], ['docker-compose']]) {
    const v = spawnSync(compose[0], [...compose.slice(1), 'version'], { encoding: 'utf8', timeout: 30_000 });
    if (v.status === 0) {
      return { available: true, reason: `docker ${info.stdout.trim()}, ${compose.join(' ')}`, required, compose, harnessMs };
    }
  }
  return no('neither `docker compose` nor `docker-compose` works', harnessMs);
}

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: Buffer | string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolve with a non-zero exit code instead of rejecting. */
  allowFailure?: boolean;
}

/** Runs a command with a deadline (SIGKILL at the deadline); rejects on a non-zero exit unless allowed. */
export function run(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const { timeoutMs = 60_000, input, env, cwd = REPO_ROOT, allowFailure = false } = options;
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      const result: RunResult = { code, stdout: Buffer.concat(out), stderr: err, ms: Date.now() - t0 };
      const cmd = [file, ...args].join(' ');
      if (timedOut) reject(new Error(`\`${cmd}\` timed out after ${timeoutMs} ms\n${tail(err)}`));
      else if (code !== 0 && !allowFailure) reject(new Error(`\`${cmd}\` exited with ${code}\n${tail(err || result.stdout.toString())}`));
      else resolve(result);
    });
    child.stdin.on('error', () => { /* the child may exit before reading all input */ });
    child.stdin.end(input);
  });
}

export function docker(args: string[], options?: RunOptions): Promise<RunResult> {
  return run('docker', args, options);
}

/** A free TCP port on this host (bound and released; good enough for a published port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export class ComposeProject {
  constructor(
    readonly compose: string[],
    readonly project: string,
    readonly files: string[],
    readonly env: NodeJS.ProcessEnv = {},
  ) {}

  /** `docker compose -p PROJECT -f F... [--profile P...] ARGS` from the repo root. */
  run(args: string[], options: RunOptions & { profiles?: string[] } = {}): Promise<RunResult> {
    const { profiles = [], ...rest } = options;
    const global = ['-p', this.project, ...this.files.flatMap((f) => ['-f', f]), ...profiles.flatMap((p) => ['--profile', p])];
    return run(this.compose[0], [...this.compose.slice(1), ...global, ...args], { ...rest, env: { ...this.env, ...rest.env } });
  }

  /** Container ids of SERVICE, by `compose ps -q` (running or not). */
  async containerIds(service: string, profiles: string[] = []): Promise<string[]> {
    const r = await this.run(['ps', '-q', service], { profiles, timeoutMs: 30_000 });
    return r.stdout.toString().split('\n').map((s) => s.trim()).filter(Boolean);
  }

  async containerId(service: string, profiles: string[] = []): Promise<string> {
    const ids = await this.containerIds(service, profiles);
    if (ids.length !== 1) throw new Error(`expected one container for service ${service}, found ${ids.length}`);
    return ids[0];
  }
}

export interface ContainerNetwork {
  name: string;
  aliases: string[];
  ipAddress: string;
}

/** The networks a container is attached to, with the aliases compose gave it there. */
export async function containerNetworks(id: string): Promise<ContainerNetwork[]> {
  const r = await docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', id], { timeoutMs: 15_000 });
  const nets = JSON.parse(r.stdout.toString()) as Record<string, { Aliases: string[] | null; IPAddress: string }>;
  return Object.entries(nets).map(([name, n]) => ({ name, aliases: n.Aliases ?? [], ipAddress: n.IPAddress }));
}

export async function containerRunning(id: string): Promise<boolean> {
  const r = await docker(['inspect', '-f', '{{.State.Running}}', id], { timeoutMs: 15_000 });
  return r.stdout.toString().trim() === 'true';
}
