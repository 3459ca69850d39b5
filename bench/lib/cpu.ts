/**
 * CPU accounting for the bench profilers: a process's utime/stime from /proc/<pid>/stat, this
 * process's from process.cpuUsage(), and a summary of a V8 .cpuprofile by category and function.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { round } from './stats';

export const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

export interface Cpu { user: number; system: number }

/** utime and stime of a process, ms. */
export function procCpu(pid: number): Cpu {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return { user: Number(fields[11]) * TICK_MS, system: Number(fields[12]) * TICK_MS };
}

export function clientCpu(): Cpu {
  const u = process.cpuUsage();
  return { user: u.user / 1000, system: u.system / 1000 };
}

export const sub = (a: Cpu, b: Cpu): Cpu => ({ user: a.user - b.user, system: a.system - b.system });
export const add = (a: Cpu, b: Cpu): Cpu => ({ user: a.user + b.user, system: a.system + b.system });
export const ZERO: Cpu = { user: 0, system: 0 };

export interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/**
 * The category of a sample, from its frame and the frames above it (rough, by function and script
 * names): where a native call sits in the data path matters more than its name (a socket write
 * forwarding a packet vs. one sending acks). Process start-up (module loading, protobufjs code
 * generation) is its own category so it can be left out.
 */
export function categoryOf(stack: Array<{ functionName: string; url: string }>): string {
  const [self] = stack;
  const fn = self!.functionName;
  const has = (re: RegExp) => stack.some((f) => re.test(`${f.functionName}@${f.url}`));
  if (has(/modules\/cjs\/loader|internal\/bootstrap|^compileForInternalLoader@|^Codegen@/)) return 'start-up';
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return 'native/program (libuv, syscalls outside JS)';
  if (has(/^forward@/)) return 'socket write: forward downstream';
  if (has(/^(sendAcks|succeed)@/)) return 'socket write: acks';
  if (has(/^(appendCrcs|writevFully|finalizeNow|fsyncDirectory|commit)@/)) return 'fs writes';
  if (has(/^readFully@/)) return 'fs reads';
  if (has(/^(firstBadChunk|chunkCrcs|checksumInto|crc32c|combineChunkCrcs)@/)) return 'CRC';
  if (has(/^take@.*transfer-codec/)) return 'FrameDecoder copy';
  if (has(/^(writev|writevGeneric|writeGeneric)@/) || has(/^uncork@/)) return 'socket write: packets';
  if (has(/^append@.*block-buffer/)) return 'client block buffer copy';
  if (has(/transfer-codec|protobufjs/)) return 'frame/protobuf encode+decode';
  if (has(/internal\/timers|^(setTimeout|clearTimeout|touch|armAckTimer)@/)) return 'timers';
  if (has(/grpc|http2/)) return 'gRPC (heartbeats, RPCs)';
  if (has(/onStreamRead|internal\/streams\/readable/)) return 'socket read/streams';
  if (has(/processTicksAndRejections|runMicrotasks/) && !has(/\/packages\//)) return 'promises/event loop';
  if (has(/\/packages\//)) return 'minidfs JS (other)';
  return 'other';
}

export interface ProfileSummary { totalMs: number; startupMs: number; categories: Array<[string, number]>; top: Array<[string, number]> }

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const fns = new Map<string, number>();
  const cats = new Map<string, number>();
  let totalMs = 0;
  let startupMs = 0;
  for (const [id, ms] of selfMs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const stack: Array<{ functionName: string; url: string }> = [];
    for (let at: number | undefined = id; at !== undefined && stack.length < 16; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
    const cat = categoryOf(stack);
    if (cat === 'start-up') {
      startupMs += ms;
      continue;
    }
    totalMs += ms;
    const where = url ? `${url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${lineNumber + 1}` : 'native';
    const key = `${functionName || '(anonymous)'} ${where}`;
    fns.set(key, (fns.get(key) ?? 0) + ms);
    cats.set(cat, (cats.get(cat) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs, startupMs, categories: sorted(cats), top: sorted(fns).slice(0, top) };
}

export function printProfile(name: string, s: ProfileSummary, mb: number): void {
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1)}%`;
  console.log(`\n### ${name}: ${round(s.totalMs)} ms of non-idle samples (start-up, ${round(s.startupMs)} ms, left out)${mb > 0 ? `, ${round(s.totalMs / mb, 2)} ms per MB moved` : ''}`);
  console.log('categories (self time, by call stack): ' + s.categories.map(([c, ms]) => `${c} ${pct(ms)}`).join(', '));
  for (const [fn, ms] of s.top) console.log(`  ${pct(ms).padStart(6)}  ${round(ms)} ms  ${fn}`);
}
