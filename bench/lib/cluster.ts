/**
 * What the cluster suites share: a real TestCluster that is always stopped, reproducible file
 * contents that can be checked byte for byte while reading, the page-cache drop, and the
 * NameNode's fsck JSON.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import type { DfsClient, WriteOptions } from '@minidfs/client';
import { defaultLivenessConfig } from '@minidfs/common';
import { bytes } from '../../test/support/bytes';
import { type Liveness, TestCluster, livenessFlags } from '../../test/support/cluster';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** The NameNode defaults (defaultLivenessConfig; docs/ARCHITECTURE.md): 1 s beats, STALE after 2 missed, DEAD after 3. */
export const PRODUCTION: Liveness = livenessFlags(defaultLivenessConfig());

export const describeLiveness = (l: Liveness): string =>
  `${l.heartbeatIntervalMs} ms heartbeats, STALE after ${l.staleAfter} missed, DEAD after ${l.deadAfter} missed (bound ${l.deadAfter * l.heartbeatIntervalMs} ms)`;

/** Starts a cluster, runs `fn`, and stops every process and removes its directories whatever happens. */
export async function withCluster<T>(datanodes: number, liveness: Liveness, nnArgs: string[], fn: (c: TestCluster) => Promise<T>): Promise<T> {
  const c = new TestCluster(liveness, nnArgs);
  try {
    await c.startNameNode();
    for (let i = 1; i <= datanodes; i++) c.startDataNode(`dn${i}`);
    await c.waitForReport(`${datanodes} LIVE`, (r) => r.live === datanodes, 30_000);
    return await fn(c);
  } finally {
    await c.stop();
  }
}

const CHUNK = MiB;
const POOL = 8 * MiB;

/**
 * File contents from a seed: 1 MiB chunks, chunk i a window of a seeded random pool at an offset
 * that depends on i, so no two neighbouring chunks are alike and nothing is regenerated while
 * timing. Reads are checked against it byte for byte (stricter than a hash, and memcmp-cheap).
 */
export class PatternData {
  private readonly pool: Buffer;

  constructor(readonly seed: number) {
    this.pool = bytes(POOL + CHUNK, seed);
  }

  private offsetOf(chunk: number): number {
    return (Math.imul(chunk + 1, 2654435761) >>> 0) % POOL;
  }

  /** Bytes [pos, pos + len) of the file, len not crossing a chunk boundary. */
  private at(pos: number, len: number): Buffer {
    const o = this.offsetOf(Math.floor(pos / CHUNK)) + (pos % CHUNK);
    return this.pool.subarray(o, o + len);
  }

  /** The first `size` bytes, as chunk views (no copies). */
  *chunks(size: number): Generator<Buffer> {
    for (let pos = 0; pos < size; pos += CHUNK) yield this.at(pos, Math.min(CHUNK, size - pos));
  }

  /** True if `piece` equals the file's bytes at `pos`. */
  matches(pos: number, piece: Buffer): boolean {
    for (let i = 0; i < piece.length;) {
      const len = Math.min(piece.length - i, CHUNK - ((pos + i) % CHUNK));
      if (!piece.subarray(i, i + len).equals(this.at(pos + i, len))) return false;
      i += len;
    }
    return true;
  }
}

/** Writes `size` pattern bytes to a new file through the client's write stream; resolves once the NameNode completed it. */
export async function writePattern(client: DfsClient, path: string, data: PatternData, size: number, options: WriteOptions = {}): Promise<void> {
  const stream = client.createWriteStream(path, options);
  for (const chunk of data.chunks(size)) {
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  stream.end();
  await finished(stream);
}

/** Reads a file through the client's read stream, checking every byte; returns the length read. */
export async function readAndVerify(client: DfsClient, path: string, data: PatternData, size: number): Promise<number> {
  let pos = 0;
  for await (const piece of client.createReadStream(path) as AsyncIterable<Buffer>) {
    if (!data.matches(pos, piece)) throw new Error(`${path}: bytes at offset ${pos}..${pos + piece.length} differ from what was written`);
    pos += piece.length;
  }
  if (pos !== size) throw new Error(`${path}: read ${pos} bytes, wrote ${size}`);
  return pos;
}

/** `sync; echo 3 > /proc/sys/vm/drop_caches` (root only). Returns false if the kernel refused. */
export function dropPageCache(): boolean {
  try {
    execFileSync('sync');
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

export interface Fsck { files: number; blocks: number; underReplicated: number; overReplicated: number; missing: number; corrupt: number; pendingReplications: number; healthy: boolean }

export async function fsck(c: TestCluster, path = '/'): Promise<Fsck> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/fsck?path=${encodeURIComponent(path)}`);
  if (!res.ok) throw new Error(`GET /api/fsck: ${res.status}`);
  return (await res.json()) as Fsck;
}

export const isFullyReplicated = (f: Fsck): boolean =>
  f.underReplicated === 0 && f.missing === 0 && f.pendingReplications === 0 && f.corrupt === 0;

/** Seeded 32-bit generator (mulberry32) for the suites' random choices. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
