/**
 * The chaos suite's network: one "host" per process, so a fault hits one host only.
 *
 * netns mode (root): every host (the NameNode, each DataNode) gets its own network namespace with
 * one veth `eth0` at 10.250.<subnet>.<n>/24; the other ends sit on a bridge in a private "switch"
 * namespace, so DataNodes reach each other (pipelines, re-replication) and the NameNode. The test
 * process (the workload's client) joins the same bridge through one veth in the root namespace at
 * 10.250.<subnet>.254. Nothing is added to the root namespace's firewall: every iptables rule lives
 * inside a host namespace and dies with it.
 *
 *   root ns (client .254) --veth-- [switch ns: br0] --veth-- nn ns (.1), dn1 ns (.11), dn2 ns (.12)...
 *
 * Faults are iptables rules inside the affected host's namespace, tagged with a comment so heal
 * deletes exactly what was added: DROP from/to a peer (partition; one direction = one-way), DROP
 * all on eth0 (full partition), `-m statistic --mode random` DROP on eth0 (packet loss). Delay is
 * not here: this kernel has no netem, so it is a TCP proxy (delay-proxy.js, see harness.ts).
 *
 * Loopback mode (not root, or CHAOS_NETNS=0): every host is 127.0.0.1 in the root namespace;
 * process faults, delay, NameNode restart and corruption still work; partitions, loss and
 * disk-full (a tmpfs mount) cannot, and `supports()` says so.
 *
 * Names carry the owner pid (`mdc<pid36><n>`): a run that crashed leaves namespaces whose pid is
 * gone, and the next run removes them (`cleanupStale`). Every run also removes its own namespaces,
 * veth and mounts on teardown, on process exit and on SIGINT/SIGTERM.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { pidAlive } from '@minidfs/common';

const execFileAsync = promisify(execFile);

export type NetMode = 'netns' | 'loopback';
export type NetFault = 'partition' | 'loss' | 'disk-full';

/** Prefix of every namespace, interface and mount this suite creates. */
export const NAME_PREFIX = 'mdc';

export interface Host {
  name: string;
  /** Network namespace, or undefined in loopback mode. */
  ns: string | undefined;
  ip: string;
}

/** Decides the mode once: netns when root and `ip netns` + iptables work, unless CHAOS_NETNS=0. */
export function detectNetMode(env: NodeJS.ProcessEnv = process.env): { mode: NetMode; reason: string } {
  if (env.CHAOS_NETNS === '0') return { mode: 'loopback', reason: 'CHAOS_NETNS=0' };
  const required = env.CHAOS_NETNS === '1';
  const fail = (reason: string): { mode: NetMode; reason: string } => {
    if (required) throw new Error(`CHAOS_NETNS=1 but network namespaces are unavailable: ${reason}`);
    return { mode: 'loopback', reason };
  };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return fail('not root');
  for (const tool of ['ip', 'iptables']) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error || (r.status !== 0 && tool === 'iptables')) return fail(`${tool} not found (apt-get install iproute2 iptables)`);
  }
  const probe = `${NAME_PREFIX}${process.pid.toString(36)}probe`.slice(0, 15);
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.status !== 0) return fail(`ip netns add failed: ${add.stderr.trim()}`);
  const ipt = spawnSync('ip', ['netns', 'exec', probe, 'iptables', '-w', '-A', 'INPUT', '-m', 'statistic', '--mode', 'random', '--probability', '0.5', '-j', 'DROP'], { encoding: 'utf8' });
  spawnSync('ip', ['netns', 'del', probe]);
  if (ipt.status !== 0) return fail(`iptables -m statistic inside a namespace failed: ${ipt.stderr.trim()}`);
  return { mode: 'netns', reason: 'root: one network namespace per host' };
}

function sh(file: string, args: string[], allowFailure = false): string {
  const r = spawnSync(file, args, { encoding: 'utf8' });
  if (!allowFailure && (r.error || r.status !== 0)) {
    throw new Error(`\`${file} ${args.join(' ')}\` failed: ${r.error?.message ?? r.stderr.trim()}`);
  }
  return r.stdout ?? '';
}


/** Owner pid encoded in one of our names (`mdc<pid36>...`), if it parses. */
function ownerPid(name: string): number | undefined {
  const m = new RegExp(`^${NAME_PREFIX}([0-9a-z]+)_`).exec(name);
  return m ? Number.parseInt(m[1]!, 36) : undefined;
}

/**
 * Removes namespaces, root-side veths and tmpfs mounts left by chaos runs whose process is gone
 * (a crashed or SIGKILLed run cannot clean up after itself). Processes still inside such a
 * namespace were started by that run; they are killed by pid before the namespace goes.
 */
export function cleanupStale(): string[] {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return [];
  const removed: string[] = [];
  const nsList = sh('ip', ['netns', 'list'], true).split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(NAME_PREFIX));
  for (const ns of nsList) {
    const pid = ownerPid(ns);
    if (pid === undefined || pidAlive(pid)) continue;
    for (const p of sh('ip', ['netns', 'pids', ns], true).split('\n').map(Number).filter((n) => n > 0)) {
      try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
    }
    sh('ip', ['netns', 'del', ns], true);
    removed.push(`netns ${ns}`);
  }
  const links = sh('ip', ['-o', 'link', 'show'], true).split('\n')
    .map((l) => /^\d+:\s+([^:@]+)/.exec(l)?.[1]).filter((n): n is string => !!n && n.startsWith(NAME_PREFIX));
  for (const link of links) {
    const pid = ownerPid(link);
    if (pid === undefined || pidAlive(pid)) continue;
    sh('ip', ['link', 'del', link], true);
    removed.push(`link ${link}`);
  }
  for (const line of fs.readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const mountPoint = line.split(' ')[1];
    const m = mountPoint && /\/minidfs-chaos-(\d+)-/.exec(mountPoint);
    if (!m || pidAlive(Number(m[1]))) continue;
    sh('umount', ['-l', mountPoint!], true);
    removed.push(`mount ${mountPoint}`);
  }
  return removed;
}

/** Run directories (`$TMPDIR/minidfs-chaos-<pid>-*`) of runs whose process is gone. */
export function cleanupStaleDirs(tmpDir: string): string[] {
  const removed: string[] = [];
  for (const name of fs.readdirSync(tmpDir)) {
    const m = /^minidfs-chaos-(\d+)-/.exec(name);
    if (!m || pidAlive(Number(m[1]))) continue;
    fs.rmSync(`${tmpDir}/${name}`, { recursive: true, force: true });
    removed.push(`dir ${name}`);
  }
  return removed;
}

let instanceCounter = 0;
const liveNetworks = new Set<ChaosNetwork>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => { for (const n of liveNetworks) n.teardownSync(); });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const n of liveNetworks) n.teardownSync();
      process.exit(130);
    });
  }
}

interface Rule {
  host: string;
  args: string[];
}

export class ChaosNetwork {
  readonly hosts = new Map<string, Host>();
  readonly clientIp: string;
  /** `mdc<pid36>_<n>`: unique per process and instance; short enough for 15-char interface names. */
  readonly prefix: string;
  private readonly subnet: number;
  private readonly rules = new Map<string, Rule[]>();
  private readonly mounts: string[] = [];
  private readonly mountedEver: string[] = [];
  private nextOctet = 10;
  private torn = false;
  private ruleCounter = 0;

  constructor(readonly mode: NetMode) {
    this.prefix = `${NAME_PREFIX}${process.pid.toString(36)}_${(instanceCounter++ % 36).toString(36)}`;
    if (this.prefix.length > 12) throw new Error(`name prefix ${this.prefix} too long for interface names`);
    this.subnet = mode === 'netns' ? pickSubnet() : 0;
    this.clientIp = mode === 'netns' ? `10.250.${this.subnet}.254` : '127.0.0.1';
    if (mode === 'netns') {
      liveNetworks.add(this);
      installExitHooks();
      const sw = this.switchNs;
      sh('ip', ['netns', 'add', sw]);
      sh('ip', ['-n', sw, 'link', 'set', 'lo', 'up']);
      sh('ip', ['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
      sh('ip', ['-n', sw, 'link', 'set', 'br0', 'up']);
      // The client's leg: root-side end keeps a unique name, the switch end goes onto the bridge.
      const rootEnd = `${this.prefix}r`;
      const swEnd = `${this.prefix}q`;
      sh('ip', ['link', 'add', rootEnd, 'type', 'veth', 'peer', 'name', swEnd]);
      sh('ip', ['link', 'set', swEnd, 'netns', sw]);
      sh('ip', ['-n', sw, 'link', 'set', swEnd, 'master', 'br0', 'up']);
      sh('ip', ['addr', 'add', `${this.clientIp}/24`, 'dev', rootEnd]);
      sh('ip', ['link', 'set', rootEnd, 'up']);
    }
  }

  private get switchNs(): string {
    return `${this.prefix}sw`;
  }

  supports(fault: NetFault): boolean {
    return this.mode === 'netns';
  }

  /** Adds a host: its own namespace and address (netns) or 127.0.0.1 (loopback). */
  addHost(name: string): Host {
    if (this.hosts.has(name)) return this.hosts.get(name)!;
    if (this.mode === 'loopback') {
      const h: Host = { name, ns: undefined, ip: '127.0.0.1' };
      this.hosts.set(name, h);
      return h;
    }
    const octet = name === 'nn' ? 1 : this.nextOctet++;
    const ns = `${this.prefix}${name}`;
    const hostEnd = `${this.prefix}h${octet}`;
    const swEnd = `${this.prefix}s${octet}`;
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', swEnd]);
    sh('ip', ['link', 'set', hostEnd, 'netns', ns]);
    sh('ip', ['-n', ns, 'link', 'set', hostEnd, 'name', 'eth0']);
    sh('ip', ['-n', ns, 'addr', 'add', `10.250.${this.subnet}.${octet}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['link', 'set', swEnd, 'netns', this.switchNs]);
    sh('ip', ['-n', this.switchNs, 'link', 'set', swEnd, 'master', 'br0', 'up']);
    const h: Host = { name, ns, ip: `10.250.${this.subnet}.${octet}` };
    this.hosts.set(name, h);
    return h;
  }

  host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  }

  /** argv prefix that runs a command on `host` (`ip netns exec NS` in netns mode; the pid is the command's own). */
  commandPrefix(host: string): string[] {
    const h = this.host(host);
    return h.ns ? ['ip', 'netns', 'exec', h.ns] : [];
  }

  /** Drops packets on `host`'s link: both directions to/from `peers` (or everyone), or one direction. */
  async drop(host: string, opts: { peers?: string[]; direction?: 'in' | 'out' | 'both' } = {}): Promise<string> {
    this.requireNetns('partition');
    const direction = opts.direction ?? 'both';
    const tag = this.newTag();
    const rules: Rule[] = [];
    const peerIps = opts.peers?.map((p) => (p === 'client' ? this.clientIp : this.host(p).ip));
    for (const dir of direction === 'both' ? ['in', 'out'] as const : [direction]) {
      const chain = dir === 'in' ? ['INPUT', '-i', 'eth0'] : ['OUTPUT', '-o', 'eth0'];
      for (const ip of peerIps ?? [undefined]) {
        const match = ip ? [dir === 'in' ? '-s' : '-d', ip] : [];
        rules.push({ host, args: [...chain, ...match, '-m', 'comment', '--comment', tag, '-j', 'DROP'] });
      }
    }
    await this.addRules(tag, rules);
    return tag;
  }

  /** Random loss with probability `p` on every host's link, both directions (incl. the client's leg). */
  async loss(p: number, hosts = [...this.hosts.keys()]): Promise<string> {
    this.requireNetns('loss');
    const tag = this.newTag();
    const stat = ['-m', 'statistic', '--mode', 'random', '--probability', String(p)];
    const rules: Rule[] = [];
    for (const host of hosts) {
      // Incoming on every host covers every host-to-host link once per direction; the client's
      // leg (root namespace, no rules there) is covered by dropping what a host sends to it.
      rules.push({ host, args: ['INPUT', '-i', 'eth0', ...stat, '-m', 'comment', '--comment', tag, '-j', 'DROP'] });
      rules.push({ host, args: ['OUTPUT', '-o', 'eth0', '-d', this.clientIp, ...stat, '-m', 'comment', '--comment', tag, '-j', 'DROP'] });
    }
    await this.addRules(tag, rules);
    return tag;
  }

  /** Deletes the rules added under `tag`. */
  async heal(tag: string): Promise<void> {
    const rules = this.rules.get(tag);
    if (!rules) return;
    this.rules.delete(tag);
    await Promise.all(rules.map((r) => this.iptables(r.host, ['-D', ...r.args], true)));
  }

  async healAll(): Promise<void> {
    for (const tag of [...this.rules.keys()]) await this.heal(tag);
  }

  /** iptables rules currently installed by this network (for cleanup checks and reports). */
  activeRuleTags(): string[] {
    return [...this.rules.keys()];
  }

  /** A small tmpfs at `dir` (netns mode only; root): a disk that can be filled. */
  mountTmpfs(dir: string, sizeBytes: number): void {
    this.requireNetns('disk-full');
    fs.mkdirSync(dir, { recursive: true });
    sh('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir]);
    this.mounts.push(dir);
    this.mountedEver.push(dir);
  }

  private requireNetns(fault: NetFault): void {
    if (this.mode !== 'netns') throw new Error(`${fault} needs network namespaces (root); this run is in loopback mode`);
  }

  private newTag(): string {
    return `${this.prefix}-f${++this.ruleCounter}`;
  }

  private async addRules(tag: string, rules: Rule[]): Promise<void> {
    this.rules.set(tag, rules);
    await Promise.all(rules.map((r) => this.iptables(r.host, ['-A', ...r.args])));
  }

  private async iptables(host: string, args: string[], allowFailure = false): Promise<void> {
    const h = this.host(host);
    try {
      await execFileAsync('ip', ['netns', 'exec', h.ns!, 'iptables', '-w', ...args]);
    } catch (err) {
      if (!allowFailure) throw new Error(`iptables ${args.join(' ')} on ${host}: ${(err as { stderr?: string }).stderr ?? String(err)}`);
    }
  }

  /**
   * Removes everything: namespaces (which takes their iptables rules and veth ends with them),
   * the root-side veth, tmpfs mounts. Processes must be gone first (the harness kills them).
   */
  teardownSync(): void {
    if (this.torn) return;
    this.torn = true;
    liveNetworks.delete(this);
    if (this.mode !== 'netns') return;
    for (const dir of this.mounts.splice(0)) sh('umount', ['-l', dir], true);
    for (const h of this.hosts.values()) {
      if (!h.ns) continue;
      for (const p of sh('ip', ['netns', 'pids', h.ns], true).split('\n').map(Number).filter((n) => n > 0)) {
        try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
      }
      sh('ip', ['netns', 'del', h.ns], true);
    }
    sh('ip', ['netns', 'del', this.switchNs], true);
    sh('ip', ['link', 'del', `${this.prefix}r`], true);
    this.rules.clear();
  }

  /** What of this network still exists in the system (empty after a clean teardown). */
  leftovers(): string[] {
    if (this.mode !== 'netns') return [];
    const ns = sh('ip', ['netns', 'list'], true).split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(this.prefix));
    const links = sh('ip', ['-o', 'link', 'show'], true).split('\n').filter((l) => l.includes(this.prefix)).map((l) => l.split(':')[1]!.trim());
    const mounts = fs.readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => this.mountedEver.some((m) => l.split(' ')[1] === m));
    return [...ns.map((n) => `netns ${n}`), ...links.map((l) => `link ${l}`), ...mounts.map((m) => `mount ${m}`)];
  }
}

/** A /24 in 10.250.100-199 that no interface on this machine uses yet. */
function pickSubnet(): number {
  const used = sh('ip', ['-4', '-o', 'addr', 'show'], true);
  const routes = sh('ip', ['-4', 'route', 'show'], true);
  const start = 100 + (process.pid % 100);
  for (let i = 0; i < 100; i++) {
    const n = 100 + ((start - 100 + i) % 100);
    const net = `10.250.${n}.`;
    if (!used.includes(net) && !routes.includes(net)) return n;
  }
  throw new Error('no free 10.250.x.0/24 subnet in 100-199');
}
