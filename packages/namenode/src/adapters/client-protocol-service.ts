/**
 * gRPC adapter for ClientProtocol (client -> NameNode): decode, call the Namesystem, encode.
 * Every failure goes out through toGrpcError, so clients get a typed `minidfs-error` code.
 */
import type * as grpc from '@grpc/grpc-js';
import { type BlockTokenGrant, type ClientProtocolHandlers, toGrpcError } from '@minidfs/common';
import type { FileStatus } from '../core/namespace';
import type { LocatedBlockInfo, Namesystem } from './namesystem';
import type { DatanodeReportJson } from './report';

export interface ClientProtocolDeps {
  namesystem: Namesystem;
  datanodeReport(): DatanodeReportJson;
  onCall?(method: string, ms: number, ok: boolean): void;
  /** Signs block access tokens for the locations handed out (absent on an open cluster: tokens stay empty). */
  blockToken?(grant: BlockTokenGrant): string;
}

type Callback<T> = (err: Partial<grpc.ServiceError> | null, value?: T) => void;


function statusToWire(s: FileStatus) {
  return s;
}

export function clientProtocolHandlers(deps: ClientProtocolDeps): ClientProtocolHandlers {
  const ns = deps.namesystem;
  // A WRITE token names the pipeline the NameNode chose: no other node accepts the block with it.
  const locatedToWire = (mode: 'READ' | 'WRITE') => (b: LocatedBlockInfo) => ({
    block: b.block, offsetBytes: b.offsetBytes, locations: b.locations,
    accessToken: deps.blockToken?.({
      blockId: b.block.blockId, generationStamp: b.block.generationStamp, mode, targets: mode === 'WRITE' ? b.locations.map((l) => l.nodeId) : [],
    }) ?? '',
  });
  /** Runs a (possibly async) handler body and answers with its result or a typed error. */
  const handle = <Req, Res>(method: string, body: (req: Req) => Res | Promise<Res>) =>
    (call: { request: Req }, callback: Callback<Res>) => {
      const started = performance.now();
      Promise.resolve()
        .then(() => body(call.request))
        .then(
          (res) => { deps.onCall?.(method, performance.now() - started, true); callback(null, res); },
          (err) => { deps.onCall?.(method, performance.now() - started, false); callback(toGrpcError(err)); },
        );
    };
  return {
    Mkdirs: handle('Mkdirs', async (r) => ({ status: statusToWire(await ns.mkdirs(r.path)) })),
    Create: handle('Create', async (r) => ({
      status: statusToWire(await ns.create(r.path, r.replication, r.blockSizeBytes, r.createParent, r.clientName)),
    })),
    AddBlock: handle('AddBlock', async (r) => ({ block: locatedToWire('WRITE')(await ns.addBlock(r.path, r.clientName, r.excludeNodeIds)) })),
    AbandonBlock: handle('AbandonBlock', async (r) => { await ns.abandonBlock(r.path, r.clientName, r.blockId); return {}; }),
    Complete: handle('Complete', async (r) => ({
      complete: await ns.complete(r.path, r.clientName, r.blocks.map((b) => ({ blockId: b.blockId, lengthBytes: b.lengthBytes }))),
    })),
    GetBlockLocations: handle('GetBlockLocations', (r) => {
      const { status, blocks } = ns.getBlockLocations(r.path);
      return { status: statusToWire(status), blocks: blocks.map(locatedToWire('READ')) };
    }),
    GetFileInfo: handle('GetFileInfo', (r) => ({ status: statusToWire(ns.getFileInfo(r.path)) })),
    ListStatus: handle('ListStatus', (r) => ({ entries: ns.listStatus(r.path).map(statusToWire) })),
    Delete: handle('Delete', async (r) => ({ deleted: await ns.delete(r.path, r.recursive) })),
    ReportBadReplica: handle('ReportBadReplica', (r) => { ns.reportBadReplica(r.blockId, r.nodeId, r.reason); return {}; }),
    Fsck: handle('Fsck', (r) => ns.fsck(r.path || '/')),
    GetDatanodeReport: handle('GetDatanodeReport', () => {
      const rep = deps.datanodeReport();
      return { safeMode: rep.safeMode, datanodes: rep.datanodes };
    }),
  };
}
