/**
 * NodeCredentials: a DataNode's proof of the cluster secret towards the NameNode, and its check
 * of the NameNode's (docs/SECURITY.md). Register carries a fresh registration proof (HMAC over
 * id, uuid, address, timestamp, nonce); the NameNode answers with a session token, which this
 * class verifies (a NameNode without the secret cannot produce one, so it cannot command this
 * node) and then attaches to the Heartbeat stream and every report. One instance per node: the
 * session is per registration. Without credentials a DataNode runs open (no metadata sent).
 */
import * as grpc from '@grpc/grpc-js';
import {
  AUTH_METADATA_KEY, type ClusterKeys, type DatanodeInfo, type RegisterResponse__Output, SESSION_METADATA_KEY, UnauthenticatedError,
  signRegistration, verifySessionToken,
} from '@minidfs/common';

export class NodeCredentials {
  private sessionToken: string | undefined;

  constructor(private readonly keys: ClusterKeys, private readonly wallNowMs: () => number = Date.now) {}

  /** Metadata for one Register call: a fresh proof over what `info` claims. */
  registerMetadata(info: DatanodeInfo): grpc.Metadata {
    const metadata = new grpc.Metadata();
    metadata.set(AUTH_METADATA_KEY, signRegistration(this.keys.register, {
      nodeId: info.id ?? '', uuid: info.uuid ?? '', host: info.host ?? '', dataPort: Number(info.dataPort ?? 0),
    }, this.wallNowMs()));
    return metadata;
  }

  /** Checks the session token of a Register answer and keeps it; throws UnauthenticatedError if the NameNode did not prove the secret. */
  acceptRegistration(reg: RegisterResponse__Output): void {
    let session;
    try {
      session = verifySessionToken(this.keys.session, reg.sessionToken);
    } catch (err) {
      throw new UnauthenticatedError(`the NameNode did not prove it holds the cluster secret (${(err as Error).message}); is it started with the same --secret-file?`);
    }
    if (session.nodeId !== reg.nodeId || session.registrationId !== reg.registrationId) {
      throw new UnauthenticatedError(`the NameNode's session token names ${session.nodeId}/${session.registrationId}, not this registration`);
    }
    this.sessionToken = reg.sessionToken;
  }

  /** Metadata for Heartbeat and the report RPCs of the current registration. */
  sessionMetadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    if (this.sessionToken) metadata.set(SESSION_METADATA_KEY, this.sessionToken);
    return metadata;
  }
}
