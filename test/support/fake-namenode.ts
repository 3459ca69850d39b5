/**
 * A fake NameNode for client HA tests: a real grpc-js ClientProtocol server on a real socket
 * (loadProtos() from @minidfs/common), with a settable HA role and epoch. GetHaStatus always
 * answers; as STANDBY every other method fails with the typed NOT_ACTIVE; as ACTIVE (or NONE, a
 * NameNode without HA) it answers a few methods from a tiny in-memory namespace (Mkdirs,
 * GetFileInfo, GetDatanodeReport, HaFailover) and UNIMPLEMENTED otherwise. `hang` makes chosen
 * methods never answer (a stalled NameNode); `exitOnFailover` makes HaFailover resign and drop the
 * connection unanswered. Every call is counted per method.
 */
import * as grpc from '@grpc/grpc-js';
import { DfsError, FileNotFoundError, NotActiveError, loadProtos, toGrpcError } from '@minidfs/common';

export type FakeRole = 'ACTIVE' | 'STANDBY' | 'HA_ROLE_UNSPECIFIED';

type Handler = (call: { request: Record<string, unknown> }, callback: (err: Partial<grpc.ServiceError> | null, res?: unknown) => void) => void;

export class FakeNameNode {
  role: FakeRole;
  epoch: number;
  address = '';
  /** Methods that never answer. */
  readonly hang = new Set<string>();
  /** Calls received, by method. */
  readonly calls = new Map<string, number>();
  /** Runs after this NameNode answered HaFailover (e.g. to promote another fake). */
  onFailover: (() => void) | undefined;
  /** HaFailover resigns and shuts the server down without answering (as a NameNode that exits at once). */
  exitOnFailover = false;
  private readonly dirs = new Set<string>(['/']);
  private readonly server = new grpc.Server();

  constructor(readonly id: string, role: FakeRole, epoch: number) {
    this.role = role;
    this.epoch = epoch;
  }

  static async start(id: string, role: FakeRole, epoch: number): Promise<FakeNameNode> {
    const nn = new FakeNameNode(id, role, epoch);
    await nn.listen();
    return nn;
  }

  count(method: string): number {
    return this.calls.get(method) ?? 0;
  }

  private async listen(): Promise<void> {
    const service = loadProtos().ClientProtocol.service;
    const handlers: Record<string, Handler> = {};
    for (const method of Object.keys(service)) {
      handlers[method] = (call, callback) => {
        this.calls.set(method, this.count(method) + 1);
        if (this.hang.has(method)) return;
        if (method === 'HaFailover' && this.exitOnFailover && this.role === 'ACTIVE') {
          this.role = 'STANDBY';
          setImmediate(() => this.onFailover?.());
          this.server.forceShutdown();
          return;
        }
        try {
          callback(null, this.answer(method, call.request));
        } catch (err) {
          callback(err instanceof DfsError ? toGrpcError(err) : { code: grpc.status.UNIMPLEMENTED, details: String(err) });
        }
      };
    }
    this.server.addService(service, handlers as unknown as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    this.address = `127.0.0.1:${port}`;
  }

  private answer(method: string, request: Record<string, unknown>): unknown {
    if (method === 'GetHaStatus') {
      if (this.role === 'HA_ROLE_UNSPECIFIED') return { namenodeId: '', address: '', role: this.role, epoch: 0, activeAddress: '' };
      return { namenodeId: this.id, address: this.address, role: this.role, epoch: this.epoch, activeAddress: this.role === 'ACTIVE' ? this.address : '' };
    }
    if (this.role === 'STANDBY') throw new NotActiveError(`${this.id} is STANDBY (epoch ${this.epoch})`);
    const status = (path: string) => ({
      path, isDirectory: true, lengthBytes: 0, replication: 0, blockSizeBytes: 0, modificationTimeMs: 0, complete: true, blockCount: 0, fileId: 0,
    });
    switch (method) {
      case 'Mkdirs':
        this.dirs.add(String(request.path));
        return { status: status(String(request.path)) };
      case 'GetFileInfo':
        if (!this.dirs.has(String(request.path))) throw new FileNotFoundError(`${String(request.path)} does not exist`);
        return { status: status(String(request.path)) };
      case 'GetDatanodeReport':
        return { datanodes: [], safeMode: false };
      case 'HaFailover': {
        if (this.role !== 'ACTIVE') throw new DfsError('INVALID_ARGUMENT', 'high availability is off on this NameNode');
        const resignedEpoch = this.epoch;
        this.role = 'STANDBY';
        setImmediate(() => this.onFailover?.());
        return { resignedEpoch };
      }
      default:
        throw new Error(`${method} is not faked`);
    }
  }

  async stop(): Promise<void> {
    this.server.forceShutdown();
  }
}
