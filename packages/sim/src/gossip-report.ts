/**
 * Gossip mode's output: one scenario side by side (central NameNode detector | SWIM among the
 * DataNodes | the NameNode with its peer-evidence rule, asking those SWIM members), and the scenario comparison of docs/SIMULATION.md ("Gossip mode") — crashes on a
 * clean network, 5% and 20% loss, process pauses, partitions that cut the NameNode link only —
 * every scenario with both detectors on the same seeded faults.
 */
import { describeDetector } from './report';
import { type GossipComparisonResult, type GossipRunConfig, defaultGossipRunConfig, runGossipComparison } from './gossip';
import type { DetectorFigures, Spread } from './gossip-metrics';
import type { CombinedResult } from './gossip-namenode';
import { formatCount, formatDuration } from './units';

const DAY_MS = 86_400_000;

const d = (ms: number) => (Number.isNaN(ms) ? '—' : formatDuration(ms));
const rate = (x: number) => (x >= 100 ? formatCount(x) : x.toFixed(2));

function spreadText(s: Spread): string {
  if (s.count === 0) return '—';
  return `${d(s.min)} / ${d(s.p50)} / ${d(s.p99)} / ${d(s.max)}`;
}

function causes(f: DetectorFigures): string {
  const list = Object.entries(f.falseDeadByCause).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${formatCount(n)}`).join(', ');
  return list ? ` (${list})` : '';
}

function crashLine(f: DetectorFigures, where: string): string {
  return `${formatCount(f.crashes)}: ${formatCount(f.detected)} DEAD ${where}` +
    `${f.restartedBeforeDetection ? `, ${formatCount(f.restartedBeforeDetection)} restarted first` : ''}` +
    `${f.undetectedAtEnd ? `, ${formatCount(f.undetectedAtEnd)} not yet at the end` : ''}`;
}

function nameNodeOnlyTotals(f: DetectorFigures) {
  let nodes = 0;
  let dead = 0;
  let suspected = 0;
  let memberDead = 0;
  let memberSuspect = 0;
  let minAlive = Number.POSITIVE_INFINITY;
  let up = 0;
  for (const o of f.nameNodeOnly) {
    nodes += o.nodes;
    dead += o.declaredDead;
    suspected += o.suspected;
    memberDead += o.memberDeadTransitions;
    memberSuspect += o.memberSuspectTransitions;
    if (!Number.isNaN(o.minObserversAliveAtEnd) && o.minObserversAliveAtEnd < minAlive) {
      minAlive = o.minObserversAliveAtEnd;
      up = o.observersUpAtEnd;
    }
  }
  return { partitions: f.nameNodeOnly.length, nodes, dead, suspected, memberDead, memberSuspect, minAlive, up };
}

export function describeGossip(c: GossipRunConfig, r?: GossipComparisonResult): string {
  const s = c.gossip.swim;
  const timeouts = r ? `, suspicion ${d(r.gossip.suspicionMinMs)} (confirmed) .. ${d(r.gossip.suspicionMaxMs)} at N = ${formatCount(c.sim.nodes)}` : '';
  return `SWIM on every DataNode (the real @minidfs/membership core): period ${d(s.protocolPeriodMs)}, ping timeout ${d(s.pingTimeoutMs)}, ` +
    `${s.indirectProbeCount} indirect probes${timeouts}; push-pull every ${d(s.pushPullIntervalMs)}; ticks every ${d(c.gossip.tickEveryMs)}; ` +
    `${c.gossip.seedsPerJoin} seeds per join`;
}

function reasons(byReason: Record<string, number>): string {
  const list = Object.entries(byReason).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${formatCount(n)}`).join(', ');
  return list ? ` (${list})` : '';
}

/** DEAD transitions of nodes that were up: each starts re-replication of the node's blocks. */
function combinedDeadOfUp(x: CombinedResult): number {
  return Object.values(x.peer.deadOfUpNodesByReason).reduce((a, b) => a + b, 0);
}

export function describeCombined(x: CombinedResult): string {
  const s = x.settings;
  return `NameNode + peer evidence: min ${s.minPeerReporters} reporters on distinct hosts (${s.nodesPerHost} node${s.nodesPerHost === 1 ? '' : 's'} per host), ` +
    `grace ${d(s.unreachableGraceMs)}, fanout ${s.peerProbeFanout}, first asked after ${d(s.peerProbeAfterMs)} of silence, again every ${d(s.peerProbeIntervalMs)}`;
}

export function formatGossipReport(r: GossipComparisonResult): string {
  const c = r.config;
  const n = c.sim.network;
  const f = c.sim.faults;
  const cf = r.central.figures;
  const gf = r.gossip.figures;
  const gc = r.gossip.counts;
  const lines: string[] = [];
  lines.push(`minidfs sim --membership gossip: ${formatCount(c.sim.nodes)} DataNodes, ${formatDuration(c.sim.durationMs)} of virtual time ` +
    `(random faults from ${d(c.gossip.warmupMs)}), seed ${JSON.stringify(c.sim.seed)}`);
  lines.push(`  central    NameNode ${describeDetector(c.sim)}${c.sim.profile ? `  [profile ${c.sim.profile}]` : ''}`);
  lines.push(`  gossip     ${describeGossip(c, r)}`);
  const x = r.combined;
  if (x) lines.push(`  combined   ${describeCombined(x)}`);
  lines.push(`  network    one-way delay ~${d(n.delayMs)} per link + exp(${d(n.jitterMs)}) jitter, loss ${(n.loss * 100).toFixed(1)}% (every message, both detectors)`);
  lines.push(`  faults     ${formatCount(r.plan.crashes)} crashes (down ~${d(f.downtimeMeanMs)}), ${formatCount(r.plan.pauses)} pauses (median ${d(f.pauseMedianMs)}, sigma ${f.pauseSigma}), ` +
    `${formatCount(r.plan.partitions)} partitions (${formatCount(r.plan.nameNodeOnlyPartitions)} NameNode-only, ${formatCount(r.plan.nameNodeOnlyNodes)} nodes)`);
  const conv = `bootstrap: 99% of the members hold every up node at ${d(r.gossip.convergedMostAtMs)}, all at ${Number.isNaN(r.gossip.convergedAtMs) ? 'no point of the run' : d(r.gossip.convergedAtMs)}`;
  lines.push(`  gossip     ${conv}; ${formatCount(gc.messages)} messages (${formatCount(gc.lost)} lost, ${formatCount(gc.cut)} cut), ` +
    `${formatCount(gc.ticks)} member ticks${gc.refused ? `, ${formatCount(gc.refused)} REFUSED` : ''}${gc.inboxDropped ? `, ${formatCount(gc.inboxDropped)} dropped by full paused sockets` : ''}`);
  lines.push(`  wall       gossip ${(r.gossip.wallMs / 1000).toFixed(1)} s, central ${(r.central.wallMs / 1000).toFixed(1)} s`);
  lines.push('');
  const xf = x?.figures;
  const rows: [string, string, string, string][] = [];
  const xs = (f: (v: DetectorFigures, xr: CombinedResult) => string) => (xf && x ? f(xf, x) : '');
  rows.push(['', 'central (NameNode)', 'gossip (SWIM peers)', x ? 'central + peer evidence' : '']);
  rows.push(['crashes', crashLine(cf, ''), crashLine(gf, 'at every live member'), xs((v) => crashLine(v, ''))]);
  rows.push(['  first suspicion, min / p50 / p99 / max', spreadText(cf.firstSuspicion), spreadText(gf.firstSuspicion), xs((v) => spreadText(v.firstSuspicion))]);
  rows.push(['  first DEAD anywhere', spreadText(cf.firstDead), spreadText(gf.firstDead), xs((v) => spreadText(v.firstDead))]);
  rows.push(['  DEAD at every live observer', spreadText(cf.deadEverywhere), spreadText(gf.deadEverywhere), xs((v) => spreadText(v.deadEverywhere))]);
  rows.push(['false suspicions of up nodes', formatCount(cf.falseSuspicions),
    `${formatCount(gf.falseSuspicions)} (${formatCount(gf.falseSuspicionTransitions)} member transitions; ${formatCount(r.gossip.swimStats.refutations)} refutations)`,
    xs((v) => `${formatCount(v.falseSuspicions)} (STALE or UNREACHABLE)`)]);
  rows.push(['false DEAD of up nodes (re-replications started)', `${formatCount(cf.falseDead)}${causes(cf)}`,
    `${formatCount(gf.falseDead)}${causes(gf)}${gf.falseDeadTransitions ? `; ${formatCount(gf.falseDeadTransitions)} member transitions` : ''}`,
    xs((v, xr) => `${formatCount(v.falseDead)}${reasons(xr.peer.deadOfUpNodesByReason)}`)]);
  if (x) {
    rows.push(['held UNREACHABLE_FROM_NAMENODE', '', '', `${formatCount(x.peer.unreachableEpisodes)} times, ${formatCount(x.peer.unreachableNodes)} nodes` +
      ` (${formatCount(x.peer.unreachableWhileDown)} while in fact down)`]);
    rows.push(['  peer probes: rounds / commands (lost) / answers reachable, unreachable', '', '',
      `${formatCount(x.peer.rounds)} / ${formatCount(x.peer.probeCommandsSent)} (${formatCount(x.peer.probeCommandsLost)}) / ` +
      `${formatCount(x.peer.answersReachable)}, ${formatCount(x.peer.answersUnreachable)}; ${formatCount(x.peer.earlyBeats)} early beats`]);
  }
  if (cf.deadOfPreviousProcess || gf.deadOfPreviousProcess || xf?.deadOfPreviousProcess) {
    rows.push(['  DEAD of a restarted node\'s old process', formatCount(cf.deadOfPreviousProcess), formatCount(gf.deadOfPreviousProcess), xs((v) => formatCount(v.deadOfPreviousProcess))]);
  }
  const seconds = c.sim.durationMs / 1000;
  const per = (k: number) => (k / c.sim.nodes / seconds).toFixed(2);
  rows.push(['messages per node per second', `${rate(r.central.messagesPerNodeSecond)} (beats + answers)`,
    `${rate(r.gossip.messagesPerNodeSecond)} (PING ${per(gc.sent.PING)}, ACK ${per(gc.sent.ACK)}, PING_REQ ${per(gc.sent.PING_REQ)}, SYNC ${per(gc.sent.SYNC)})`,
    x ? 'beats as central, plus the probes (in the gossip figure)' : '']);
  rows.push(['messages at the NameNode per second', rate((r.central.heartbeatsSent + r.central.heartbeatsDelivered) / seconds), '0', '']);
  rows.push(['  gossip: updates / SYNC entries per message', '', `${(gc.updatesCarried / Math.max(1, gc.messages)).toFixed(2)} / ${(gc.syncEntries / Math.max(1, gc.sent.SYNC)).toFixed(0)}`, '']);
  const cn = nameNodeOnlyTotals(cf);
  const gn = nameNodeOnlyTotals(gf);
  if (cn.partitions > 0) {
    const xn = x?.peer.nameNodeOnly;
    rows.push([`NameNode-only partitions: ${formatCount(cn.partitions)} (${formatCount(cn.nodes)} nodes)`, '', '',
      xn ? `${formatCount(xn.cutLongerThanGrace)} nodes cut longer than DEAD deadline + grace` : '']);
    rows.push(['  cut nodes declared DEAD', `${formatCount(cn.dead)} of ${formatCount(cn.nodes)}${cn.dead ? ' (would re-replicate)' : ''}`,
      `${formatCount(gn.dead)} of ${formatCount(gn.nodes)} (${formatCount(gn.memberDead)} member transitions)`,
      xn ? `${formatCount(xn.deadWithinGrace)} within the grace, ${formatCount(xn.deadAfterGrace)} after it, of ${formatCount(xn.nodes)}` : '']);
    rows.push(['  cut nodes suspected', `${formatCount(cn.suspected)} of ${formatCount(cn.nodes)}`,
      `${formatCount(gn.suspected)} of ${formatCount(gn.nodes)} (${formatCount(gn.memberSuspect)} member transitions)`,
      xn ? `${formatCount(xn.heldUnreachable)} of ${formatCount(xn.nodes)} held UNREACHABLE` : '']);
    if (Number.isFinite(gn.minAlive)) rows.push(['  members holding a cut node ALIVE at the heal, min', '', `${formatCount(gn.minAlive)} of ${formatCount(gn.up - 1)} other up members`, '']);
  }
  const w0 = Math.max(...rows.map((row) => row[0].length)) + 2;
  const w1 = Math.max(...rows.map((row) => row[1].length)) + 3;
  const w2 = Math.max(...rows.map((row) => row[2].length)) + 3;
  for (const [a, b, cc, xx] of rows) lines.push(`${a.padEnd(w0)}${b.padEnd(w1)}${xx ? cc.padEnd(w2) : cc}${xx}`.trimEnd());
  return lines.join('\n');
}

/** JSON-safe copy (Infinity/NaN become null). */
export function gossipToJson(r: GossipComparisonResult): unknown {
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

// ---- the scenario comparison -------------------------------------------------------------------

export interface GossipScenario {
  name: string;
  apply(c: GossipRunConfig): void;
}

/** Random partitions at a rate that gives about `count` of them after the warm-up. */
function partitionsPerDay(c: GossipRunConfig, count: number): number {
  return (count * DAY_MS) / (c.sim.durationMs - c.gossip.warmupMs);
}

export const GOSSIP_SCENARIOS: GossipScenario[] = [
  { name: 'crashes, no loss', apply: () => {} },
  { name: 'crashes, loss 5%', apply: (c) => { c.sim.network.loss = 0.05; } },
  { name: 'crashes, loss 20%', apply: (c) => { c.sim.network.loss = 0.2; } },
  {
    name: 'crashes, pauses (100/node-day, median 2 s)',
    apply: (c) => { c.sim.faults.pausesPerNodeDay = 100; c.sim.faults.pauseMedianMs = 2000; c.sim.faults.pauseSigma = 1; },
  },
  {
    name: 'crashes, NameNode-only partitions (~12, half racks, mean 60 s)',
    apply: (c) => {
      const n = c.sim.network;
      n.partitionsPerDay = partitionsPerDay(c, 12);
      n.partitionMeanMs = 60_000;
      n.partitionRackFraction = 0.5;
      n.partitionOneWayFraction = 0;
      c.gossip.nameNodeOnlyFraction = 1;
    },
  },
];

export interface GossipScenarioCell {
  scenario: string;
  result: GossipComparisonResult;
}

/** Every scenario on a copy of `base` (same seed: the same crashes in every row). */
export function runGossipScenarios(base: GossipRunConfig = defaultGossipRunConfig(), scenarios = GOSSIP_SCENARIOS, onCell?: (cell: GossipScenarioCell) => void): GossipScenarioCell[] {
  const cells: GossipScenarioCell[] = [];
  for (const s of scenarios) {
    const c: GossipRunConfig = structuredClone(base);
    s.apply(c);
    const cell = { scenario: s.name, result: runGossipComparison(c) };
    cells.push(cell);
    onCell?.(cell);
  }
  return cells;
}

/**
 * Markdown: per scenario, the detectors' detection times, mistakes, load and the NameNode-only
 * verdict; with the combined column, a second table: what the NameNode with peer evidence decides.
 */
export function formatGossipScenarios(cells: GossipScenarioCell[]): string {
  const out = [
    '| scenario | crashes | central T_D: first STALE p50 · DEAD min / p50 / p99 / max | gossip: first SUSPECT p50 · DEAD at all live members min / p50 / p99 / max | false DEAD central / gossip (episodes) | false suspicions central / gossip | messages / node / s central / gossip | NameNode-only cut nodes DEAD: central / gossip | wall (gossip) |',
    '| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { scenario, result: r } of cells) {
    const cf = r.central.figures;
    const gf = r.gossip.figures;
    const cn = nameNodeOnlyTotals(cf);
    const gn = nameNodeOnlyTotals(gf);
    out.push(`| ${scenario} | ${cf.crashes} | ${d(cf.firstSuspicion.p50)} · ${spreadText(cf.deadEverywhere)} | ${d(gf.firstSuspicion.p50)} · ${spreadText(gf.deadEverywhere)}` +
      `${gf.restartedBeforeDetection ? ` (${gf.restartedBeforeDetection} restarted first)` : ''} | ` +
      `${cf.falseDead} / ${gf.falseDead} | ${cf.falseSuspicions} / ${gf.falseSuspicions} | ${rate(r.central.messagesPerNodeSecond)} / ${rate(r.gossip.messagesPerNodeSecond)} | ` +
      `${cn.partitions ? `${cn.dead} / ${gn.dead} of ${cn.nodes}` : '—'} | ${(r.gossip.wallMs / 1000).toFixed(1)} s |`);
  }
  if (!cells.some((cell) => cell.result.combined)) return out.join('\n');
  out.push('');
  out.push('| scenario | crash DEAD min / p50 / p99 / max: central · central + peer evidence | UNREACHABLE central + peer evidence: times (nodes; while down) | DEAD of up nodes = re-replications started: central / gossip / central + peer evidence (by reason) | NameNode-only cut nodes DEAD: central · central + peer evidence within the grace / after it (cut longer than deadline + grace) | peer rounds / answers reachable, unreachable |');
  out.push('| --- | --- | ---: | --- | --- | ---: |');
  for (const { scenario, result: r } of cells) {
    const x = r.combined;
    if (!x) continue;
    const cf = r.central.figures;
    const xf = x.figures;
    const cn = nameNodeOnlyTotals(cf);
    const xn = x.peer.nameNodeOnly;
    out.push(`| ${scenario} | ${spreadText(cf.deadEverywhere)} · ${spreadText(xf.deadEverywhere)} | ${x.peer.unreachableEpisodes} (${x.peer.unreachableNodes}; ${x.peer.unreachableWhileDown}) | ` +
      `${cf.falseDead} / ${r.gossip.figures.falseDead} / **${combinedDeadOfUp(x)}**${reasons(x.peer.deadOfUpNodesByReason)} | ` +
      `${xn.partitions ? `${cn.dead} of ${cn.nodes} · **${xn.deadWithinGrace}** / ${xn.deadAfterGrace} (${xn.cutLongerThanGrace})` : '—'} | ` +
      `${formatCount(x.peer.rounds)} / ${formatCount(x.peer.answersReachable)}, ${formatCount(x.peer.answersUnreachable)} |`);
  }
  return out.join('\n');
}
