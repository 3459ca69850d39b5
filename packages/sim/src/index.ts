/**
 * @minidfs/sim: deterministic simulation of a minidfs cluster — simulated DataNodes and network,
 * seeded faults, virtual time — around the real NameNode core, reporting failure-detector QoS and
 * repair figures; gossip mode runs the real SWIM core on every DataNode beside it. See docs/SIMULATION.md.
 */
export * from './comparison';
export * from './config';
export * from './event-queue';
export * from './fault-plan';
export * from './metrics';
export * from './random';
export * from './report';
export { SimNameNode, type SimNameNodeHooks, type SimNameNodeOptions } from './sim-namenode';
export { Simulation, runSimulation, type RunOptions, type SimCounts, type SimEngineCounts, type SimFigures, type SimResult } from './simulation';
export * from './units';
export * from './gossip';
export * from './gossip-faults';
export * from './gossip-metrics';
export * from './gossip-namenode';
export * from './gossip-report';
