/**
 * gRPC adapter for ClientProtocol (client -> NameNode). Namespace and block RPCs arrive with the
 * blocks issue; until then they answer UNIMPLEMENTED.
 */
import * as grpc from '@grpc/grpc-js';
import type { ClientProtocolHandlers } from '@minidfs/common';
import type { DatanodeReportJson } from './report';

export interface ClientProtocolDeps {
  datanodeReport(): DatanodeReportJson;
}

export function clientProtocolHandlers(deps: ClientProtocolDeps): ClientProtocolHandlers {
  const unimplemented = (_call: unknown, callback: (err: Partial<grpc.ServiceError>) => void) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: 'not implemented yet' });
  return {
    GetDatanodeReport: (_call, callback) => {
      const r = deps.datanodeReport();
      callback(null, {
        safeMode: r.safeMode,
        datanodes: r.datanodes.map((d) => ({ ...d, lastHeartbeatMsAgo: d.lastHeartbeatMsAgo })),
      });
    },
    Mkdirs: unimplemented,
    Create: unimplemented,
    AddBlock: unimplemented,
    AbandonBlock: unimplemented,
    Complete: unimplemented,
    GetBlockLocations: unimplemented,
    GetFileInfo: unimplemented,
    ListStatus: unimplemented,
    Delete: unimplemented,
    ReportBadReplica: unimplemented,
  };
}
