/**
 * gRPC adapter for ClientProtocol (client -> NameNode): decode, call the Namesystem, encode.
 * Every failure goes out through toGrpcError, so clients get a typed `minidfs-error` code.
 */
import type * as grpc from '@grpc/grpc-js';
import { type BlockTokenGrant, type ClientProtocolHandlers, InvalidArgumentError, toGrpcError } from '@minidfs/common';
import type { FileStatus } from '../core/namespace';
import type { AdminAction, LocatedBlockInfo, Namesystem, SafeModeAction } from './namesystem';
import type { ReplicaVerifier } from './replica-verifier';
import { checkRequestLimits } from './request-limits';
import type { DatanodeReportJson } from './report';

export interface ClientProtocolDeps {
  namesystem: Namesystem;
  datanodeReport(): DatanodeReportJson;
  onCall?(method: string, ms: number, ok: boolean): void;
  /** Signs block access tokens for the locations handed out (absent on an open cluster: tokens stay empty). */
  blockToken?(grant: BlockTokenGrant): string;
  /** Checks a client's bad-replica report by reading the replica (a client's word alone marks nothing corrupt). */
  replicaVerifier: ReplicaVerifier;
  /** The NameNode's clock (the one its timer passes to the core), for safe mode's quiet time. */
  nowMs?(): number;
  /** The write pipeline's base ack deadline sent in CreateResponse (common/pipeline-deadline.ts); absent = 0, not sent. */
  pipelineAckTimeoutMs?: number;
  /** High availability (adapters/ha-controller.ts); absent = HA off, this NameNode always serves. */
  ha?: ClientHa;
}

/** What the client RPCs need from HA: the role gate, the status and the graceful hand-over. */
export interface ClientHa {
  /** Throws NotActiveError unless this NameNode is the active (checked before every RPC but GetHaStatus). */
  requireActive(method: string): void;
  status(): { namenodeId: string; address: string; role: 'ACTIVE' | 'STANDBY'; epoch: number; activeAddress: string };
  /** Resigns the leadership (graceful hand-over); resolves with the resigned epoch. */
  failover(): Promise<number>;
}

/** SetSafeModeRequest.action (enum names, as proto-loader decodes them) -> Namesystem action. */
const SAFE_MODE_ACTIONS: Readonly<Record<string, SafeModeAction>> = { SAFE_MODE_GET: 'get', SAFE_MODE_ENTER: 'enter', SAFE_MODE_LEAVE: 'leave' };

function safeModeToWire(s: ReturnType<Namesystem['safeModeStatus']>) {
  return {
    on: s.on, manual: s.manual, startup: s.startup, reportedBlocks: s.reportedBlocks, totalBlocks: s.totalBlocks, threshold: s.threshold,
    liveDatanodes: s.liveNodes, reportedDatanodes: s.reportedNodes, extensionMs: s.extensionMs, autoExitInMs: s.autoExitInMs,
  };
}

/** SetDatanodeAdminStateRequest.action (enum names) -> Namesystem admin action. */
const ADMIN_ACTIONS: Readonly<Record<string, AdminAction>> = {
  DECOMMISSION: 'decommission', RECOMMISSION: 'recommission', START_MAINTENANCE: 'start-maintenance', END_MAINTENANCE: 'end-maintenance',
};

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
        .then(() => {
          if (method !== 'GetHaStatus') deps.ha?.requireActive(method);
          return body(checkRequestLimits(`${method}Request`, call.request));
        })
        .then(
          (res) => { deps.onCall?.(method, performance.now() - started, true); callback(null, res); },
          (err) => { deps.onCall?.(method, performance.now() - started, false); callback(toGrpcError(err)); },
        );
    };
  return {
    Mkdirs: handle('Mkdirs', async (r) => ({ status: statusToWire(await ns.mkdirs(r.path)) })),
    Create: handle('Create', async (r) => ({
      status: statusToWire(await ns.create(r.path, r.replication, r.blockSizeBytes, r.createParent, r.clientName)),
      pipelineAckTimeoutMs: deps.pipelineAckTimeoutMs ?? 0,
      leaseSoftLimitMs: ns.core.leases.config.softLimitMs,
    })),
    RenewLease: handle('RenewLease', async (r) => ({ openFiles: await ns.renewLease(r.clientName) })),
    RecoverLease: handle('RecoverLease', async (r) => ns.recoverLease(r.path, r.clientName)),
    AddBlock: handle('AddBlock', async (r) => ({
      block: locatedToWire('WRITE')(await ns.addBlock(
        r.path, r.clientName, r.excludeNodeIds, r.previous ? { blockId: Number(r.previous.blockId), lengthBytes: Number(r.previous.lengthBytes) } : undefined,
      )),
    })),
    AbandonBlock: handle('AbandonBlock', async (r) => { await ns.abandonBlock(r.path, r.clientName, r.blockId); return {}; }),
    Complete: handle('Complete', async (r) => ({
      complete: await ns.complete(r.path, r.clientName, r.blocks.map((b) => ({ blockId: b.blockId, lengthBytes: b.lengthBytes }))),
    })),
    GetBlockLocations: handle('GetBlockLocations', (r) => {
      const { status, blocks } = ns.getBlockLocations(r.path);
      return { status: statusToWire(status), blocks: blocks.map(locatedToWire('READ')) };
    }),
    GetFileInfo: handle('GetFileInfo', (r) => ({ status: statusToWire(ns.getFileInfo(r.path)) })),
    ListStatus: handle('ListStatus', (r) => {
      const page = ns.listStatusPage(r.path, r.startAfter ?? '');
      return { entries: page.entries.map(statusToWire), remaining: page.remaining };
    }),
    SetReplication: handle('SetReplication', async (r) => ({ status: statusToWire(await ns.setReplication(r.path, r.replication)) })),
    Delete: handle('Delete', async (r) => ({
      // client_name set: a delete on a writer's behalf, conditional on it still holding the file.
      deleted: await ns.delete(r.path, r.recursive, r.clientName ? { clientName: r.clientName, fileId: Number(r.fileId) } : undefined),
    })),
    ReportBadReplica: handle('ReportBadReplica', (r) => { deps.replicaVerifier.report(r.blockId, r.nodeId, r.reason); return {}; }),
    Fsck: handle('Fsck', (r) => ns.fsck(r.path || '/')),
    GetDatanodeReport: handle('GetDatanodeReport', () => {
      const rep = deps.datanodeReport();
      return { safeMode: rep.safeMode, datanodes: rep.datanodes, safeModeStatus: rep.safeModeStatus && safeModeToWire(rep.safeModeStatus) };
    }),
    SetDatanodeAdminState: handle('SetDatanodeAdminState', async (r) => {
      const action = ADMIN_ACTIONS[String(r.action)];
      if (!action) throw new InvalidArgumentError(`SetDatanodeAdminStateRequest.action must be DECOMMISSION, RECOMMISSION, START_MAINTENANCE or END_MAINTENANCE, got ${String(r.action)}`);
      const v = await ns.setAdminState(r.nodeId, action, Number(r.maintenanceDurationMs ?? 0), deps.nowMs?.() ?? Date.now());
      return { nodeId: r.nodeId, adminState: v.adminState, maintenanceExpiresInMs: v.maintenanceExpiresInMs ?? 0 };
    }),
    SetSafeMode: handle('SetSafeMode', (r) => {
      const action = SAFE_MODE_ACTIONS[String(r.action)];
      if (!action) throw new InvalidArgumentError(`SetSafeModeRequest.action must be SAFE_MODE_GET, SAFE_MODE_ENTER or SAFE_MODE_LEAVE, got ${String(r.action)}`);
      return { status: safeModeToWire(ns.setSafeMode(action, deps.nowMs?.())) };
    }),
    GetHaStatus: handle('GetHaStatus', () => {
      if (!deps.ha) return { namenodeId: '', address: '', role: 'HA_ROLE_UNSPECIFIED' as const, epoch: 0, activeAddress: '' };
      return deps.ha.status();
    }),
    HaFailover: handle('HaFailover', async () => {
      if (!deps.ha) throw new InvalidArgumentError('high availability is off on this NameNode (start it with --ha-etcd): there is nothing to fail over to');
      return { resignedEpoch: await deps.ha.failover() };
    }),
  };
}
