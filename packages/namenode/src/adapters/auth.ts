/**
 * DataNode authentication on the NameNode (docs/SECURITY.md), as a wrapper around the
 * DatanodeProtocol handlers so the protocol adapter stays about the protocol:
 * - Register needs a registration proof (`minidfs-auth` metadata) over the node id, uuid, address,
 *   a timestamp within the proof window of our receive time and an unseen nonce; the answer gets a
 *   session token bound to the node id and the new registration id.
 * - Heartbeat needs the session token when the stream opens (checked once, not per beat); the
 *   stream is bound to the token's node id (`streamNodeId`), which the protocol adapter enforces
 *   per message. A token of a registration that another one replaced is refused, and the DataNode
 *   registers again.
 * - BlockReport, BlockReceivedAndDeleted, ReportBadBlocks need a session token of the node they name.
 * Every refusal is an UNAUTHENTICATED status with the reason, and one `auth-refused` log line.
 */
import type * as grpc from '@grpc/grpc-js';
import {
  AUTH_METADATA_KEY, type ClusterKeys, type DatanodeProtocolHandlers, type Logger, RegistrationVerifier, SESSION_METADATA_KEY, type Session,
  UnauthenticatedError, issueSessionToken, toGrpcError, verifySessionToken,
} from '@minidfs/common';

export interface DatanodeAuthDeps {
  keys: ClusterKeys;
  logger: Logger;
  /** The registration id the NameNode currently holds for a node, if it knows the node. */
  currentRegistrationId(nodeId: string): string | undefined;
  /** Wall clock for judging registration timestamps. Default Date.now. */
  wallNowMs?: () => number;
  verifier?: RegistrationVerifier;
}

function metadataValue(metadata: grpc.Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

export class DatanodeAuthenticator {
  readonly verifier: RegistrationVerifier;
  private readonly boundNodeIds = new WeakMap<object, string>();
  private readonly wallNowMs: () => number;
  /** Refusals by RPC, for tests and metrics. */
  readonly refused = { register: 0, heartbeat: 0, report: 0 };

  constructor(private readonly deps: DatanodeAuthDeps) {
    this.verifier = deps.verifier ?? new RegistrationVerifier(deps.keys.register);
    this.wallNowMs = deps.wallNowMs ?? Date.now;
  }

  /** The node id a verified Heartbeat stream is bound to (undefined: not verified by this authenticator). */
  readonly streamNodeId = (call: object): string | undefined => this.boundNodeIds.get(call);

  wrap(inner: DatanodeProtocolHandlers): DatanodeProtocolHandlers {
    return {
      Register: (call, callback) => {
        const info = call.request.info;
        try {
          this.verifier.verify(metadataValue(call.metadata, AUTH_METADATA_KEY), {
            nodeId: info?.id ?? '', uuid: info?.uuid ?? '', host: info?.host ?? '', dataPort: info?.dataPort ?? 0,
          }, this.wallNowMs());
        } catch (err) {
          this.refuse('register', call, info?.id, err);
          callback(toGrpcError(err));
          return;
        }
        inner.Register(call, (err, res) => {
          if (!err && res) res.sessionToken = issueSessionToken(this.deps.keys.session, { nodeId: res.nodeId ?? '', registrationId: res.registrationId ?? '' });
          callback(err, res);
        });
      },
      Heartbeat: (call) => {
        let session: Session;
        try {
          session = this.session(call.metadata);
        } catch (err) {
          this.refuse('heartbeat', call, undefined, err);
          call.emit('error', toGrpcError(err));
          return;
        }
        this.boundNodeIds.set(call, session.nodeId);
        inner.Heartbeat(call);
      },
      BlockReport: (call, callback) => this.unary('BlockReport', call, callback, () => inner.BlockReport(call, callback)),
      BlockReceivedAndDeleted: (call, callback) => this.unary('BlockReceivedAndDeleted', call, callback, () => inner.BlockReceivedAndDeleted(call, callback)),
      ReportBadBlocks: (call, callback) => this.unary('ReportBadBlocks', call, callback, () => inner.ReportBadBlocks(call, callback)),
    };
  }

  /** A valid session token of the node's current registration (or of a node this NameNode does not know yet: it answers REREGISTER). */
  private session(metadata: grpc.Metadata): Session {
    const session = verifySessionToken(this.deps.keys.session, metadataValue(metadata, SESSION_METADATA_KEY));
    const current = this.deps.currentRegistrationId(session.nodeId);
    if (current !== undefined && current !== session.registrationId) {
      throw new UnauthenticatedError(`session token of an earlier registration of ${session.nodeId}: register again`);
    }
    return session;
  }

  private unary(
    rpc: string, call: { metadata: grpc.Metadata; request: { nodeId: string }; getPeer(): string },
    callback: (err: Partial<grpc.ServiceError>) => void, next: () => void,
  ): void {
    try {
      const session = this.session(call.metadata);
      if (session.nodeId !== call.request.nodeId) {
        throw new UnauthenticatedError(`${rpc} for node ${JSON.stringify(call.request.nodeId)} with the session of ${session.nodeId}`);
      }
    } catch (err) {
      this.refuse('report', call, call.request.nodeId, err, rpc);
      callback(toGrpcError(err));
      return;
    }
    next();
  }

  private refuse(kind: keyof DatanodeAuthenticator['refused'], call: { getPeer(): string }, nodeId: string | undefined, err: unknown, rpc?: string): void {
    this.refused[kind] += 1;
    this.deps.logger.warn('datanode request refused: not authenticated', {
      event: 'auth-refused', rpc: rpc ?? (kind === 'register' ? 'Register' : 'Heartbeat'), nodeId, peer: safePeer(call), error: (err as Error).message,
    });
  }
}

function safePeer(call: { getPeer(): string }): string | undefined {
  try {
    return call.getPeer();
  } catch {
    return undefined;
  }
}
