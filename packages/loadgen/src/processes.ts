/**
 * Several loadgen processes: on 2 cores one Node process cannot both encode/decode ~20k gRPC
 * messages a second and keep its timers on time, so `processes > 1` forks workers
 * (worker.ts), each owning a contiguous slice of the node indices and its own channels. The
 * coordinator talks to them over the fork IPC channel: `start` with the slice's config, then
 * `snapshot` requests (answered with a LoadgenSnapshot) and `stop`. One process runs in place.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { Logger } from '@minidfs/common';
import { type LoadgenConfig, MAX_PROCESSES, validateLoadgenConfig } from './config';
import { LoadGenerator } from './load-generator';
import { type LoadgenSnapshot, mergeSnapshots } from './stats';

/** How long the coordinator waits for a worker's answer (snapshot, stopped). */
export const WORKER_REPLY_TIMEOUT_MS = 30_000;
/** How long a worker's ramp may take (the ramp waits for the NameNode: maxStartingNodes). */
export const WORKER_RAMP_TIMEOUT_MS = 30 * 60_000;

export type ToWorker =
  | { type: 'init'; config: LoadgenConfig }
  | { type: 'start' }
  | { type: 'snapshot'; id: number }
  | { type: 'stop'; goodbye: boolean };
export type FromWorker =
  | { type: 'started' }
  | { type: 'snapshot'; id: number; snapshot: LoadgenSnapshot }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

/** A running load: one process or several. */
export interface LoadRun {
  /** Resolves when every node has been started (the ramp is over). */
  start(): Promise<void>;
  snapshot(): Promise<LoadgenSnapshot>;
  stop(goodbye?: boolean): Promise<void>;
}

/** Splits [0, total) into `parts` contiguous slices as even as possible. */
export function slices(total: number, parts: number): Array<{ firstIndex: number; datanodes: number }> {
  const out: Array<{ firstIndex: number; datanodes: number }> = [];
  for (let p = 0, first = 0; p < parts; p++) {
    const n = Math.floor(total / parts) + (p < total % parts ? 1 : 0);
    out.push({ firstIndex: first, datanodes: n });
    first += n;
  }
  return out;
}

/**
 * Starts the load in `processes` processes. `fork: false` runs a single process's load in this
 * process; a benchmark passes `fork: true` so the load's CPU is its workers' alone.
 */
export function startLoad(config: LoadgenConfig, processes: number, logger: Logger, options: { fork?: boolean } = {}): LoadRun {
  validateLoadgenConfig(config);
  if (!Number.isInteger(processes) || processes < 1 || processes > MAX_PROCESSES) {
    throw new RangeError(`processes must be an integer in [1, ${MAX_PROCESSES}], got ${processes}`);
  }
  if (processes === 1 && !options.fork) {
    const gen = new LoadGenerator(config, logger);
    return { start: () => gen.start(), snapshot: async () => gen.snapshot(), stop: (goodbye) => gen.stop(goodbye) };
  }
  const workers = slices(config.datanodes, processes).map((s) => new Worker({ ...config, firstIndex: config.firstIndex + s.firstIndex, datanodes: s.datanodes }));
  return {
    start: async () => { await Promise.all(workers.map((w) => w.start())); },
    snapshot: async () => mergeSnapshots(await Promise.all(workers.map((w) => w.snapshot()))),
    stop: async (goodbye = false) => { await Promise.all(workers.map((w) => w.stop(goodbye))); },
  };
}

class Worker {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly waiting = new Map<string, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
  private exited = false;

  constructor(private readonly config: LoadgenConfig) {
    this.child = fork(path.join(__dirname, 'worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.child.on('message', (m: FromWorker) => {
      const key = m.type === 'snapshot' ? `snapshot:${m.id}` : m.type;
      if (m.type === 'error') {
        for (const w of this.waiting.values()) w.reject(new Error(`loadgen worker ${config.firstIndex}: ${m.message}`));
        this.waiting.clear();
        return;
      }
      this.waiting.get(key)?.resolve(m);
      this.waiting.delete(key);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.waiting.values()) w.reject(new Error(`loadgen worker ${config.firstIndex} exited (${code ?? signal})`));
      this.waiting.clear();
    });
    this.child.send({ type: 'init', config } satisfies ToWorker);
  }

  async start(): Promise<void> {
    await this.request('started', { type: 'start' }, WORKER_RAMP_TIMEOUT_MS);
  }

  async snapshot(): Promise<LoadgenSnapshot> {
    const id = this.nextId++;
    const m = await this.request(`snapshot:${id}`, { type: 'snapshot', id });
    if (m.type !== 'snapshot') throw new Error(`unexpected worker answer ${m.type}`);
    return m.snapshot;
  }

  async stop(goodbye: boolean): Promise<void> {
    if (this.exited) return;
    await this.request('stopped', { type: 'stop', goodbye }).catch(() => undefined);
    if (!this.exited) this.child.kill('SIGTERM');
  }

  private request(key: string, message: ToWorker, timeoutMs = WORKER_REPLY_TIMEOUT_MS): Promise<FromWorker> {
    if (this.exited) return Promise.reject(new Error(`loadgen worker ${this.config.firstIndex} has exited`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        reject(new Error(`loadgen worker ${this.config.firstIndex} did not answer ${message.type} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(key, {
        resolve: (m) => { clearTimeout(timer); resolve(m); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.child.send(message);
    });
  }
}
