/**
 * Real processes for integration tests: spawns `node packages/cli/dist/main.js ...` (so `npm test`
 * builds first), collects each child's JSON log lines, and lets tests wait on them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';
import { CLI_PATH } from './paths';
import { waitFor } from './wait';

export const CLI = CLI_PATH();

export type LogLine = Record<string, unknown> & { event?: string; message?: string };

export class NodeProcess {
  readonly lines: LogLine[] = [];
  readonly stderrText: string[] = [];
  stdout = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;

  constructor(readonly name: string, readonly args: string[], env: NodeJS.ProcessEnv = {}) {
    this.proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.proc.stdout!.on('data', (d: Buffer) => { this.stdout += d.toString(); });
    readline.createInterface({ input: this.proc.stderr! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        this.stderrText.push(line);
      }
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => { this.exit = { code, signal }; resolve(); }));
  }

  readonly proc: ChildProcess;

  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  signal(sig: NodeJS.Signals): void {
    this.proc.kill(sig);
  }

  async waitForExit(timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.exited,
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${this.name} did not exit in ${timeoutMs} ms`)), timeoutMs); }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    return this.exit!;
  }

  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGKILL');
    await this.waitForExit();
  }

  waitForLine(what: string, pred: (l: LogLine) => boolean, timeoutMs = 10_000, from = 0): Promise<LogLine> {
    return waitFor(what, () => this.lines.slice(from).find(pred), timeoutMs);
  }
}
