/** Turns a SimResult into the text `minidfs sim` prints, or into plain JSON. */
import { resolvePhiConfig, type SimConfig } from './config';
import type { Distribution, LevelQos } from './metrics';
import type { SimResult } from './simulation';
import { formatBytes, formatCount, formatDuration } from './units';

export function describeDetector(c: SimConfig): string {
  const l = c.liveness;
  const interval = formatDuration(l.heartbeatIntervalMs);
  const phi = resolvePhiConfig(l, c.detector);
  if (!phi) {
    return `threshold: heartbeat ${interval}, STALE at ${l.staleAfterMissed} missed, DEAD at ${l.deadAfterMissed} missed`;
  }
  if (phi.distribution === 'exponential') {
    return `phi (exponential): heartbeat ${interval}, DEAD at phi >= ${phi.threshold}, window ${phi.windowSize}` +
      `${Number.isFinite(phi.maxSampleIntervalMs) ? `, intervals > ${formatDuration(phi.maxSampleIntervalMs)} ignored` : ''}`;
  }
  return `phi: heartbeat ${interval}, DEAD at phi >= ${phi.threshold}, min std ${formatDuration(phi.minStdDeviationMs)}, ` +
    `acceptable pause ${formatDuration(phi.acceptablePauseMs)}, window ${phi.windowSize}; STALE at ${formatDuration(phi.staleAfterMs)} silence`;
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;

function dist(d: Distribution): string {
  if (d.count === 0) return '—';
  return `p50 ${formatDuration(d.p50)}   p99 ${formatDuration(d.p99)}   max ${formatDuration(d.max)}`;
}

function level(name: string, q: LevelQos): string[] {
  const causes = Object.entries(q.byCause).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${formatCount(n)}`).join(', ');
  return [
    `  ${name.padEnd(26)} ${formatCount(q.mistakes)}${causes ? `  (${causes})` : ''}`,
    `    T_MR (mean recurrence)   ${q.mistakes ? `${formatDuration(q.meanRecurrenceMs)} per node` : '— (no mistakes)'}` +
      `${q.recurrence.count ? `;  observed p50 ${formatDuration(q.recurrence.p50)}` : ''}`,
    `    T_M (mistake duration)   ${dist(q.duration)}`,
    `    P_A (query accuracy)     ${q.accuracy.toFixed(q.accuracy > 0.999999 ? 8 : 6)}`,
  ];
}

export function formatReport(r: SimResult): string {
  const c = r.config;
  const f = r.figures;
  const q = f.qos;
  const rep = f.repair;
  const n = c.network;
  const fl = c.faults;
  const lines: string[] = [];
  lines.push(`minidfs sim: ${formatCount(c.nodes)} DataNodes in ${Math.ceil(c.nodes / c.nodesPerRack)} racks, ` +
    `${formatCount(c.blocks)} blocks x ${c.replication} (${formatBytes(c.blockSizeBytes)}), ${formatDuration(c.durationMs)} of virtual time, seed ${JSON.stringify(c.seed)}`);
  lines.push(`  detector   ${describeDetector(c)}${c.profile ? `  [profile ${c.profile}]` : ''}`);
  lines.push(`  network    one-way delay ~${formatDuration(n.delayMs)} per link + exp(${formatDuration(n.jitterMs)}) jitter, loss ${pct(n.loss)}, ` +
    `${n.partitionsPerDay} partitions/day (mean ${formatDuration(n.partitionMeanMs)})`);
  lines.push(`  faults     ${fl.crashesPerNodeDay} crashes/node-day (down ~${formatDuration(fl.downtimeMeanMs)}, ${pct(fl.diskLossFraction)} lose the disk), ` +
    `${fl.pausesPerNodeDay} pauses/node-day (median ${formatDuration(fl.pauseMedianMs)}, sigma ${fl.pauseSigma})`);
  lines.push(`  simulated  ${formatCount(f.counts.heartbeatsSent)} heartbeats (${formatCount(f.counts.heartbeatsLost)} lost), ` +
    `${formatCount(f.counts.ticks)} NameNode ticks, ${formatCount(f.counts.events)} other events in ${(r.wall.totalMs / 1000).toFixed(1)} s of wall time ` +
    `(setup ${(r.wall.setupMs / 1000).toFixed(1)} s, planner ${(r.wall.plannerMs / 1000).toFixed(1)} s; ` +
    `${pct(f.counts.heartbeatsDelivered ? r.engine.beatsRunAhead / f.counts.heartbeatsDelivered : 0)} of the beats delivered in runs ahead)`);
  lines.push('');
  lines.push('failure detector QoS (Chen, Toueg & Aguilera)');
  lines.push(`  crashes                    ${formatCount(q.crashes)}: ${formatCount(q.detected)} declared DEAD` +
    `${q.restartedBeforeDetection ? `, ${formatCount(q.restartedBeforeDetection)} restarted before detection` : ''}` +
    `${q.undetectedAtEnd ? `, ${formatCount(q.undetectedAtEnd)} still undetected at the end` : ''}`);
  lines.push(`  T_D detection time         ${dist(q.detection)}`);
  lines.push(`    (crash -> STALE)         ${dist(q.detectionStale)}`);
  const perThousand = q.conviction.mistakes / Math.max(1e-9, q.upNodeTimeMs / 86_400_000 / 1000);
  const causes = Object.entries(q.conviction.byCause).filter(([, k]) => k > 0).map(([k, v]) => `${k} ${formatCount(v)}`).join(', ');
  lines.push(`  false DEAD                 ${formatCount(q.conviction.mistakes)}  (${perThousand >= 100 ? formatCount(perThousand) : perThousand.toFixed(2)} per 1000 node-days` +
    `${causes ? `; ${causes}` : ''})`);
  lines.push(...level('conviction mistakes (DEAD)', q.conviction).slice(1));
  lines.push(...level('suspicions of up nodes', q.suspicion));
  lines.push('');
  lines.push('repair');
  if (c.blocks === 0) {
    lines.push('  (no blocks: --blocks 0 measures the detector only)');
  } else {
    lines.push(`  deaths needing repair      ${formatCount(rep.deathsWithRepair)}${rep.unrepairedAtEnd ? ` (${formatCount(rep.unrepairedAtEnd)} not fully repaired at the end)` : ''}`);
    lines.push(`  time to full replication   ${dist(rep.timeToFullReplication)}`);
    if (rep.timeToFullReplicationAfterCrash.count !== rep.timeToFullReplication.count) {
      lines.push(`    after a crash            ${dist(rep.timeToFullReplicationAfterCrash)}`);
    }
    lines.push(`  blocks ever at 0 replicas  ${formatCount(rep.blocksEverAtZeroReplicas)}   lost (no copy on any disk at the end) ${formatCount(rep.blocksLost)}`);
    lines.push(`  re-replication             ${formatCount(rep.copiesCompleted)} copies (${formatBytes(rep.bytesCopied)}), ${formatCount(rep.copiesFailed)} failed, ` +
      `peak ${formatBytes(rep.peakTrafficBytesPerSecond)}/s over a minute; ${formatCount(rep.replicasInvalidated)} excess replicas deleted`);
  }
  return lines.join('\n');
}

/** JSON-safe copy (Infinity/NaN become null). */
export function toJson(r: SimResult): unknown {
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
