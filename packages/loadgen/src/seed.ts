/**
 * Namespace seeding: writes small files through the real ClientProtocol write path (Create,
 * AddBlock, the pipeline's DataNodes report the replica received, Complete), with the simulated
 * DataNodes of this process as the pipeline. Their blocks are then known to the NameNode (fsck,
 * /api/overview, per-node block counts) and stay in every later full report. Generated replicas
 * the namespace does not know are invalidated by the NameNode, as HDFS does with orphans.
 */
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, DfsError, fromGrpcError, loadProtos, parseHostPort } from '@minidfs/common';
import type { LoadGenerator } from './load-generator';

/** Deadline of one seeding RPC. */
export const SEED_RPC_DEADLINE_MS = 10_000;
/** How long Complete may keep answering "not yet" (replicas still being reported). */
export const SEED_COMPLETE_WAIT_MS = 30_000;
/** Files one seeding run writes at most (each costs fsynced NameNode writes). */
export const MAX_SEED_FILES = 100_000;

export interface SeedOptions {
  files: number;
  /** Length of each file's single block, bytes. */
  blockLengthBytes: number;
  /** 0 = the NameNode's default. */
  replication: number;
  directory: string;
}

export async function seedNamespace(gen: LoadGenerator, options: SeedOptions): Promise<{ files: number; blocks: number }> {
  if (!Number.isInteger(options.files) || options.files < 0 || options.files > MAX_SEED_FILES) {
    throw new RangeError(`seed files must be an integer in [0, ${MAX_SEED_FILES}], got ${options.files}`);
  }
  const { host, port } = parseHostPort(gen.config.namenode);
  const stub = new (loadProtos().ClientProtocol)(`${host}:${port}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  const byId = new Map(gen.nodes.map((n) => [n.id, n]));
  type Unary = (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => unknown;
  const call = <Res>(method: 'Create' | 'AddBlock' | 'Complete', req: object): Promise<Res> => new Promise((resolve, reject) => {
    (stub[method] as unknown as Unary).call(stub, req, { deadline: Date.now() + SEED_RPC_DEADLINE_MS }, (err, res) =>
      (err || !res ? reject(fromGrpcError(err)) : resolve(res as Res)));
  });
  type Located = { block?: { block?: { blockId: number; generationStamp: number }; locations: Array<{ nodeId: string }> } };
  const create = (req: object) => call<object>('Create', req);
  const addBlock = (req: object) => call<Located>('AddBlock', req);
  const complete = (req: object) => call<{ complete: boolean }>('Complete', req);
  const clientName = `loadgen-seeder-${gen.config.seed}`;
  let blocks = 0;
  try {
    for (let f = 0; f < options.files; f++) {
      const path = `${options.directory}/file-${String(f).padStart(6, '0')}`;
      await create({ path, replication: options.replication, blockSizeBytes: 0, createParent: true, clientName });
      const located = (await addBlock({ path, clientName, excludeNodeIds: [] })).block;
      if (!located?.block) throw new DfsError('INTERNAL', `AddBlock for ${path} returned no block`);
      const block = { blockId: located.block.blockId, generationStamp: located.block.generationStamp, lengthBytes: options.blockLengthBytes };
      for (const loc of located.locations) {
        const node = byId.get(loc.nodeId);
        if (!node) throw new DfsError('INVALID_ARGUMENT', `AddBlock chose ${loc.nodeId}, which this loadgen process does not simulate (seed with one process and no real DataNodes)`);
        node.addBlock(block);
      }
      const deadline = Date.now() + SEED_COMPLETE_WAIT_MS;
      while (!(await complete({ path, clientName, blocks: [block] })).complete) {
        if (Date.now() > deadline) throw new DfsError('UNAVAILABLE', `Complete of ${path} not accepted within ${SEED_COMPLETE_WAIT_MS} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      blocks += 1;
    }
  } finally {
    stub.close();
  }
  return { files: options.files, blocks };
}
