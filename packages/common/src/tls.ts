/**
 * Optional TLS for every gRPC port (docs/SECURITY.md has the openssl recipe). One set of PEM files
 * per process: `cert` + `key` are its identity (served on its own port and presented as a client
 * certificate when it calls others), `ca` is the authority it trusts. A server given a CA demands
 * and checks client certificates (mutual TLS), so with TLS on only holders of a CA-signed
 * certificate can talk to any node — DataNodes, NameNode and clients alike. Without TLS files
 * everything runs in plaintext, as before.
 */
import * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import { InvalidArgumentError } from './errors';

export interface TlsFiles {
  /** PEM certificate (chain) of this process. */
  certFile?: string;
  /** PEM private key of certFile. */
  keyFile?: string;
  /** PEM CA bundle: peers' certificates must chain to it; on a server it turns on client-certificate checks. */
  caFile?: string;
}

export interface TlsMaterial {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
}

function read(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new InvalidArgumentError(`cannot read TLS ${what} ${file}: ${(err as Error).message}`);
  }
}

/** Reads the PEM files; undefined when none is given (plaintext). cert and key go together. */
export function loadTls(files: TlsFiles | undefined): TlsMaterial | undefined {
  if (!files || (!files.certFile && !files.keyFile && !files.caFile)) return undefined;
  if (!files.certFile !== !files.keyFile) throw new InvalidArgumentError('--tls-cert and --tls-key go together');
  return {
    cert: files.certFile ? read(files.certFile, 'certificate') : undefined,
    key: files.keyFile ? read(files.keyFile, 'key') : undefined,
    ca: files.caFile ? read(files.caFile, 'CA') : undefined,
  };
}

/** Server credentials: TLS with this process's cert, requiring client certificates when a CA is set; insecure without TLS. */
export function serverCredentials(tls: TlsMaterial | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  if (!tls.cert || !tls.key) throw new InvalidArgumentError('a TLS server needs --tls-cert and --tls-key');
  return grpc.ServerCredentials.createSsl(tls.ca ?? null, [{ cert_chain: tls.cert, private_key: tls.key }], tls.ca !== undefined);
}

/** Channel credentials: TLS verifying the server against the CA (system roots without one), presenting our cert if we have one. */
export function channelCredentials(tls: TlsMaterial | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null);
}
