/** @minidfs/loadgen: simulated DataNodes over real gRPC against a real NameNode (HDFS Dynamometer for the heartbeat path). */
export * from './config';
export * from './histogram';
export * from './stats';
export { LoadGenerator, MAX_CHANNELS_PER_PROCESS } from './load-generator';
export { SimulatedDatanode, SIMULATED_REPLICATION } from './simulated-datanode';
export { seedNamespace, type SeedOptions, SEED_RPC_DEADLINE_MS, SEED_COMPLETE_WAIT_MS, MAX_SEED_FILES } from './seed';
export { startLoad, slices, type LoadRun, WORKER_REPLY_TIMEOUT_MS, WORKER_RAMP_TIMEOUT_MS } from './processes';
