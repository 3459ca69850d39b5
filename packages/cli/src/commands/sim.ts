/**
 * `minidfs sim`: a deterministic simulation of a whole cluster — simulated DataNodes and network,
 * seeded faults, virtual time — around the real NameNode core (@minidfs/sim). Prints the
 * failure-detector QoS and the repair figures; the same seed prints the same figures.
 * `--membership gossip` also runs the real SWIM core on every DataNode and prints both detectors
 * side by side, plus a third column: the NameNode with its peer-evidence rule asking those SWIM
 * members before DEAD (docs/SIMULATION.md, "Gossip mode").
 */
import { Command, InvalidArgumentError, type Option } from 'commander';
import {
  COMPARISON_ROWS, COMPARISON_SCENARIOS, GOSSIP_SCENARIOS, type GossipRunConfig, LIVENESS_PROFILES, type SimConfig, defaultGossipModeConfig, defaultPeerEvidenceModeConfig,
  defaultGossipRunConfig, defaultSimConfig, formatComparisonDetail, formatComparisonSummary, formatDuration, formatGossipReport,
  formatGossipScenarios, formatReport, gossipToJson, parseBytes, parseDurationMs, runComparison, runGossipComparison, runGossipScenarios,
  runSimulation, swimConfigForPeriod, toJson, validateGossipRunConfig, validateSimConfig,
} from '@minidfs/sim';
import { NAMENODE_FLAGS, type NameNodeSetting, checkSettingRange, defaultNameNodeOptions } from '@minidfs/namenode';
import { intArg, opt, settingArg } from '../options';

const duration = (v: string) => {
  try {
    return parseDurationMs(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
const bytes = (v: string) => {
  try {
    return parseBytes(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
const number = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected a number in [${min}, ${max}], got ${v}`);
  return n;
};
const fraction = (v: string) => {
  const n = Number(v.endsWith('%') ? Number(v.slice(0, -1)) / 100 : v);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`expected a fraction in [0, 1) such as 0.05 or 5%, got ${v}`);
  return n;
};

/** A NameNode duration setting's flag (`--heartbeat-interval-ms`): milliseconds, or a duration with a unit (10s); the NameNode's bounds. */
const durationSetting = (setting: NameNodeSetting) => (v: string) => {
  const ms = duration(v);
  try {
    checkSettingRange(setting, ms);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return ms;
};

/** A duration as one would type it: 10s, 1500ms. */
const asTyped = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** A default given as text (parsed with the option's own parser) and shown as typed. */
function shown(option: Option, text: string, parse: (v: string) => number): Option {
  return option.default(parse(text), text);
}

export interface SimOptions {
  nodes: number; blocks: number; duration: number; seed: string; profile?: string; detector?: 'threshold' | 'phi';
  heartbeatIntervalMs?: number; staleAfter?: number; deadAfter?: number;
  phiThreshold?: number; phiMinStd?: number; phiAcceptablePause?: number; phiWindow?: number;
  loss: number; delay: number; jitter: number; partitionRate: number; partitionMean: number; oneWay: number; rackPartitions: number;
  crashRate: number; downtime: number; diskLoss: number; pauseRate: number; pauseMedian: number; pauseSigma: number;
  replication: number; blockSize: number; capacity: number; copyBandwidth: number; nodesPerRack: number;
  json?: boolean; progress?: boolean; compare?: boolean; beatByBeat?: boolean;
  membership?: 'central' | 'gossip'; gossipPeriodMs?: number; gossipSeeds?: number; nnOnly?: number; warmup?: number;
  peerEvidence?: boolean; minPeerReporters?: number; unreachableGraceMs?: number; peerProbeFanout?: number; nodesPerHost?: number;
}

/** The NameNode settings' flags have the NameNode's names; defaults are the simulator's (defaultSimConfig) or else the NameNode's (defaultNameNodeOptions). */
export function simCommand(): Command {
  const d = defaultSimConfig();
  const nn = defaultNameNodeOptions();
  const pe = defaultPeerEvidenceModeConfig();
  const cmd = new Command('sim')
    .description('simulate a cluster on virtual time around the real NameNode core; print failure-detector QoS and repair figures')
    .addOption(opt('--nodes <N>', 'DataNodes', d.nodes, intArg(1, 50_000)))
    .addOption(opt('--blocks <N>', 'blocks stored, complete, each with --replication replicas (0: detector only)', 1_000_000, intArg(0, 100_000_000)))
    .addOption(shown(opt('--duration <TIME>', 'virtual time to simulate (e.g. 90m, 24h, 7d)', undefined, duration), '24h', duration))
    .addOption(opt('--seed <S>', 'seed: the same seed and flags give the same figures', d.seed))
    .addOption(opt('--profile <NAME>', `liveness settings of a real system: ${Object.keys(LIVENESS_PROFILES).join(', ')} (flags below override)`)
      .choices(Object.keys(LIVENESS_PROFILES)))
    .addOption(opt(`${NAMENODE_FLAGS.detector} <KIND>`, `failure detector for DEAD: threshold (missed beats) or phi (phi accrual)  [default: ${d.detector.kind}]`).choices(['threshold', 'phi']))
    .addOption(opt(`${NAMENODE_FLAGS.heartbeatIntervalMs} <MS>`, `DataNode heartbeat interval, ms or with a unit (10s)  [default: ${asTyped(d.liveness.heartbeatIntervalMs)}; ` +
      `the NameNode's own default is ${asTyped(nn.liveness.heartbeatIntervalMs)}]`, undefined, durationSetting('heartbeatIntervalMs')))
    .addOption(opt(`${NAMENODE_FLAGS.staleAfterMissed} <BEATS>`, `missed beats before STALE  [default: ${d.liveness.staleAfterMissed}]`, undefined, settingArg('staleAfterMissed')))
    .addOption(opt(`${NAMENODE_FLAGS.deadAfterMissed} <BEATS>`, `missed beats before DEAD (threshold detector)  [default: ${d.liveness.deadAfterMissed}]`, undefined, settingArg('deadAfterMissed')))
    .addOption(opt(`${NAMENODE_FLAGS.phiThreshold} <PHI>`, `phi at which a node is DEAD  [default: ${nn.phiThreshold}]`, undefined, settingArg('phiThreshold')))
    .addOption(opt('--phi-min-std <TIME>', 'phi: floor on the standard deviation  [default: interval/10]', undefined, duration))
    .addOption(opt('--phi-acceptable-pause <TIME>', 'phi: silence tolerated on top of the mean  [default: 2 intervals]', undefined, duration))
    .addOption(opt('--phi-window <N>', 'phi: inter-arrival samples kept per node  [default: 1000]', undefined, intArg(2, 100_000)))
    .addOption(opt('--loss <P>', 'probability a heartbeat-stream message is lost (0.05 or 5%)', 0, fraction))
    .addOption(shown(opt('--delay <TIME>', 'mean one-way base delay per link', undefined, duration), '0.5ms', duration))
    .addOption(shown(opt('--jitter <TIME>', 'mean exponential jitter per message', undefined, duration), '0.5ms', duration))
    .addOption(opt('--partition-rate <N>', 'network partitions per day (a node or a rack)', d.network.partitionsPerDay, number(0, 1e6)))
    .addOption(shown(opt('--partition-mean <TIME>', 'mean partition duration', undefined, duration), '60s', duration))
    .addOption(opt('--one-way <P>', 'fraction of partitions that are one-way', d.network.partitionOneWayFraction, number(0, 1)))
    .addOption(opt('--rack-partitions <P>', 'fraction of partitions that cut a whole rack', d.network.partitionRackFraction, number(0, 1)))
    .addOption(opt('--crash-rate <N>', 'crashes per node per day', d.faults.crashesPerNodeDay, number(0, 1e4)))
    .addOption(shown(opt('--downtime <TIME>', 'mean time until a crashed node restarts', undefined, duration), '1h', duration))
    .addOption(opt('--disk-loss <P>', 'fraction of crashes after which the node returns with an empty disk', d.faults.diskLossFraction, number(0, 1)))
    .addOption(opt('--pause-rate <N>', 'process pauses (GC, SIGSTOP) per node per day', d.faults.pausesPerNodeDay, number(0, 1e5)))
    .addOption(shown(opt('--pause-median <TIME>', 'median pause (log-normal)', undefined, duration), '2s', duration))
    .addOption(opt('--pause-sigma <S>', 'log-normal shape of pauses (1: p99 is ~10x the median)', d.faults.pauseSigma, number(0, 5)))
    .addOption(opt(`${NAMENODE_FLAGS.replication} <N>`, 'replicas per block', d.replication, settingArg('replication')))
    .addOption(shown(opt('--block-size <BYTES>', 'block size', undefined, bytes), '128MiB', bytes))
    .addOption(shown(opt('--capacity <BYTES>', 'disk per DataNode (+-5%)', undefined, bytes), '8TiB', bytes))
    .addOption(shown(opt('--copy-bandwidth <BYTES>', 're-replication bandwidth per DataNode, per second', undefined, bytes), '100MiB', bytes))
    .addOption(opt('--nodes-per-rack <N>', 'DataNodes per rack', d.nodesPerRack, intArg(1, 50_000)))
    .option('--json', 'print the result as JSON')
    .option('--progress', 'report progress on stderr')
    .option('--beat-by-beat', 'the reference engine: every heartbeat through the NameNode core one by one (same figures, slower)')
    .option('--compare', 'run the detector comparison of docs/SIMULATION.md (defaults: --nodes 1000 --blocks 0) and print markdown tables;' +
      ' with --membership gossip, the gossip scenario comparison (5 scenarios: central, gossip, central + peer evidence)')
    .addOption(opt('--membership <MODE>', 'central: the NameNode\'s detector only; gossip: also run SWIM (the real @minidfs/membership core) on every' +
      ' DataNode on the same faults and print both side by side. Gossip mode defaults: --nodes 1000 --duration 5m --crash-rate 10 --downtime 3m,' +
      ' the NameNode at --profile minidfs (1 s beats, DEAD at 3 missed), no blocks', 'central').choices(['central', 'gossip']))
    .addOption(shown(opt('--gossip-period-ms <MS>', 'gossip: SWIM protocol period, ms or with a unit (1s) (ping timeout 1/2, push-pull 30x, ticks 1/10 of it)', undefined, duration), '1s', duration))
    .addOption(opt('--gossip-seeds <N>', 'gossip: members each node joins through (random; after a restart, random live ones)', 3, intArg(1, 16)))
    .addOption(opt('--nn-only <P>', 'gossip: fraction of partitions that cut only the NameNode link (the peers still hear the node)', 0.5, number(0, 1)))
    .addOption(shown(opt('--warmup <TIME>', 'gossip: random faults start after this (the members first converge)', undefined, duration), '30s', duration))
    .option('--no-peer-evidence', 'gossip: skip the third column (the NameNode with its peer-evidence rule, asking the SWIM members before DEAD)')
    .addOption(opt(`${NAMENODE_FLAGS.minPeerReporters} <N>`, 'gossip, third column: reporters on distinct hosts that must still hear a silent node for' +
      ' UNREACHABLE_FROM_NAMENODE instead of DEAD (0: rule off)', nn.minPeerReporters, settingArg('minPeerReporters')))
    .addOption(opt(`${NAMENODE_FLAGS.unreachableGraceMs} <MS>`, 'gossip, third column: longest time a node stays UNREACHABLE_FROM_NAMENODE before DEAD, ms or with a unit (60s)',
      nn.unreachableGraceMs, durationSetting('unreachableGraceMs')))
    .addOption(opt(`${NAMENODE_FLAGS.peerProbeFanout} <N>`, 'gossip, third column: peers asked about a silent node per round', nn.peerProbeFanout, settingArg('peerProbeFanout')))
    .addOption(opt('--nodes-per-host <N>', 'gossip, third column: DataNodes per host (reporters on the target\'s host do not count)', pe.nodesPerHost, intArg(1, 1000)));
  return cmd.action((o: SimOptions) => {
    try {
      run(o);
    } catch (err) {
      // Thrown from an action (not from a flag's parser), commander would exit silently: say why.
      if (err instanceof InvalidArgumentError) cmd.error(`error: ${err.message}`);
      throw err;
    }
  });

  function run(o: SimOptions): void {
    const explicit = (name: string) => {
      const source = cmd.getOptionValueSource(name);
      return source !== undefined && source !== 'default';
    };
    if (o.membership === 'gossip') return gossip(o, explicit);
    if (o.compare) return compare(o, explicit);
    const config = buildConfig(o);
    let hinted = false;
    const result = runSimulation(config, {
      skipQuietBeats: !o.beatByBeat,
      onProgress: (v, w) => {
        if (o.progress) {
          process.stderr.write(`  ${formatDuration(v)} of ${formatDuration(config.durationMs)} virtual, ${(w / 1000).toFixed(1)} s wall\n`);
        } else if (!hinted && w > 60_000) {
          hinted = true;
          process.stderr.write(`minidfs sim: ${formatDuration(v)} of ${formatDuration(config.durationMs)} simulated after ${(w / 1000).toFixed(0)} s` +
            ' (the cost grows with nodes x duration / interval: the NameNode\'s planner runs once per interval, and beats a tick could' +
            ' tell apart go one by one; plus, per DEAD, the blocks it held).' +
            ' --progress reports as it goes.\n');
        }
      },
    });
    process.stdout.write(o.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : `${formatReport(result)}\n`);
  }
}

export function buildConfig(o: SimOptions): SimConfig {
  const c = defaultSimConfig();
  c.seed = o.seed;
  c.nodes = o.nodes;
  c.blocks = o.blocks;
  c.durationMs = o.duration;
  if (o.profile) {
    const p = LIVENESS_PROFILES[o.profile];
    c.liveness = { ...p.liveness };
    c.detector = p.detector;
    c.profile = p.name;
  }
  if (o.heartbeatIntervalMs !== undefined) {
    if (!Number.isInteger(o.heartbeatIntervalMs)) throw new InvalidArgumentError(`${NAMENODE_FLAGS.heartbeatIntervalMs} must be a whole number of milliseconds`);
    c.liveness.heartbeatIntervalMs = o.heartbeatIntervalMs;
  }
  if (o.staleAfter !== undefined) c.liveness.staleAfterMissed = o.staleAfter;
  if (o.deadAfter !== undefined) c.liveness.deadAfterMissed = o.deadAfter;
  if (o.detector === 'threshold') c.detector = { kind: 'threshold' };
  else if (o.detector === 'phi' && c.detector.kind !== 'phi') c.detector = { kind: 'phi' };
  const phiFlags = {
    ...(o.phiThreshold !== undefined ? { threshold: o.phiThreshold } : {}),
    ...(o.phiMinStd !== undefined ? { minStdDeviationMs: o.phiMinStd } : {}),
    ...(o.phiAcceptablePause !== undefined ? { acceptablePauseMs: o.phiAcceptablePause } : {}),
    ...(o.phiWindow !== undefined ? { windowSize: o.phiWindow } : {}),
  };
  if (Object.keys(phiFlags).length) {
    if (c.detector.kind !== 'phi') throw new InvalidArgumentError('--phi-* flags need --detector phi (or a phi --profile)');
    c.detector = { kind: 'phi', phi: { ...c.detector.phi, ...phiFlags } };
  }
  c.network = {
    ...c.network, loss: o.loss, delayMs: o.delay, jitterMs: o.jitter, partitionsPerDay: o.partitionRate, partitionMeanMs: o.partitionMean,
    partitionOneWayFraction: o.oneWay, partitionRackFraction: o.rackPartitions,
  };
  c.faults = {
    crashesPerNodeDay: o.crashRate, downtimeMeanMs: o.downtime, diskLossFraction: o.diskLoss, pausesPerNodeDay: o.pauseRate,
    pauseMedianMs: o.pauseMedian, pauseSigma: o.pauseSigma,
  };
  c.replication = o.replication;
  c.blockSizeBytes = o.blockSize;
  c.capacityBytes = o.capacity;
  c.copyBandwidthBytesPerSecond = o.copyBandwidth;
  c.nodesPerRack = o.nodesPerRack;
  try {
    return validateSimConfig(c);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function compare(o: SimOptions, explicit: (name: string) => boolean): void {
  const options = {
    seed: o.seed,
    nodes: explicit('nodes') ? o.nodes : 1000,
    durationMs: o.duration,
    crashesPerNodeDay: explicit('crashRate') ? o.crashRate : 0.05,
  };
  const total = COMPARISON_ROWS.length * COMPARISON_SCENARIOS.length;
  let done = 0;
  const cells = runComparison(options, (cell) => {
    done += 1;
    process.stderr.write(`  [${done}/${total}] ${cell.row} / ${cell.scenario}: ${(cell.result.wall.totalMs / 1000).toFixed(1)} s\n`);
  });
  process.stdout.write(`Detector comparison: ${options.nodes} DataNodes, ${formatDuration(options.durationMs)}, ` +
    `${options.crashesPerNodeDay} crashes/node-day, seed ${JSON.stringify(options.seed)}\n\n`);
  process.stdout.write(`${formatComparisonSummary(cells)}\n\n${formatComparisonDetail(cells)}\n`);
}

/** `--membership gossip`: the flags as a GossipRunConfig, gossip mode's own defaults where a flag was not given. */
export function buildGossipConfig(o: SimOptions, explicit: (name: string) => boolean): GossipRunConfig {
  const g = defaultGossipRunConfig();
  const pe = defaultPeerEvidenceModeConfig();
  const nn = defaultNameNodeOptions();
  if (explicit('blocks') && o.blocks !== 0) throw new InvalidArgumentError('--membership gossip simulates the detectors only: --blocks must be 0');
  const pick = <K extends keyof SimOptions>(name: K, fallback: SimOptions[K]): SimOptions[K] => (explicit(name) ? o[name] : fallback);
  const liveness = o.profile !== undefined || o.heartbeatIntervalMs !== undefined || o.staleAfter !== undefined || o.deadAfter !== undefined;
  const sim = buildConfig({
    ...o,
    blocks: 0,
    nodes: pick('nodes', g.sim.nodes),
    duration: pick('duration', g.sim.durationMs),
    crashRate: pick('crashRate', g.sim.faults.crashesPerNodeDay),
    downtime: pick('downtime', g.sim.faults.downtimeMeanMs),
    diskLoss: 0,
    profile: liveness ? o.profile : 'minidfs',
  });
  const swim = swimConfigForPeriod(o.gossipPeriodMs ?? 1000);
  swim.maxMembers = Math.max(swim.maxMembers, sim.nodes);
  const config: GossipRunConfig = {
    sim,
    gossip: {
      ...defaultGossipModeConfig(swim), seedsPerJoin: o.gossipSeeds ?? 3, nameNodeOnlyFraction: o.nnOnly ?? 0.5, warmupMs: o.warmup ?? 30_000,
      peerEvidence: {
        enabled: o.peerEvidence ?? pe.enabled, nodesPerHost: o.nodesPerHost ?? pe.nodesPerHost, minPeerReporters: o.minPeerReporters ?? nn.minPeerReporters,
        unreachableGraceMs: o.unreachableGraceMs ?? nn.unreachableGraceMs, peerProbeFanout: o.peerProbeFanout ?? nn.peerProbeFanout,
      },
    },
  };
  try {
    return validateGossipRunConfig(config);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function gossip(o: SimOptions, explicit: (name: string) => boolean): void {
  const config = buildGossipConfig(o, explicit);
  if (o.compare) {
    let done = 0;
    const cells = runGossipScenarios(config, GOSSIP_SCENARIOS, (cell) => {
      done += 1;
      process.stderr.write(`  [${done}/${GOSSIP_SCENARIOS.length}] ${cell.scenario}: gossip${cell.result.combined ? ' + peer evidence' : ''} ${(cell.result.gossip.wallMs / 1000).toFixed(1)} s, ` +
        `central ${(cell.result.central.wallMs / 1000).toFixed(1)} s\n`);
    });
    if (o.json) {
      process.stdout.write(`${JSON.stringify(cells.map((c) => ({ scenario: c.scenario, result: gossipToJson(c.result) })), null, 2)}\n`);
      return;
    }
    process.stdout.write(`Gossip vs central${config.gossip.peerEvidence.enabled ? ' vs central + peer evidence' : ''}: ${config.sim.nodes} DataNodes, ${formatDuration(config.sim.durationMs)} (random faults from ` +
      `${formatDuration(config.gossip.warmupMs)}), ${config.sim.faults.crashesPerNodeDay} crashes/node-day, seed ${JSON.stringify(config.sim.seed)}\n\n`);
    process.stdout.write(`${formatGossipScenarios(cells)}\n`);
    return;
  }
  const result = runGossipComparison(config, {
    onPhase: (phase, wallMs) => {
      if (o.progress) process.stderr.write(`  ${phase}: ${(wallMs / 1000).toFixed(1)} s wall\n`);
    },
  });
  process.stdout.write(o.json ? `${JSON.stringify(gossipToJson(result), null, 2)}\n` : `${formatGossipReport(result)}\n`);
}
