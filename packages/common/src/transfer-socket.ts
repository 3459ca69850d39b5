/**
 * Sockets of the block transfer protocol: node:net in plaintext, node:tls with the same PEM files
 * as the gRPC ports when TLS is configured (tls.ts). A TLS server given a CA demands and checks
 * client certificates (mutual TLS), exactly like the gRPC servers. Connecting gives up after
 * Limits.transferConnectTimeoutMs with UnavailableError naming the address.
 */
import net from 'node:net';
import tls from 'node:tls';
import { InvalidArgumentError, UnavailableError } from './errors';
import { Limits } from './limits';
import type { TlsMaterial } from './tls';

export type TransferSocket = net.Socket | tls.TLSSocket;

/**
 * Bytes a sender lets queue in a transfer socket's write buffer before it waits for 'drain'. A
 * packet (64 KiB + CRCs) is always above Node's 16 KiB default high-water mark, so write()'s own
 * answer would make every packet wait for a 'drain'; senders compare writableLength with this
 * instead (above it write() has returned false, so 'drain' does come).
 */
export const TRANSFER_SOCKET_BUFFER_BYTES = 1024 * 1024;

/** A listening server for transfer connections; `onConnection` gets each (TLS: after the handshake). */
export function createTransferServer(tlsMaterial: TlsMaterial | undefined, onConnection: (socket: TransferSocket) => void): net.Server {
  // allowHalfOpen: a sender that half-closes after its last packet still gets its acks, and one that
  // half-closes too early gets a typed error status rather than a bare close.
  if (!tlsMaterial) return net.createServer({ noDelay: true, allowHalfOpen: true }, onConnection);
  if (!tlsMaterial.cert || !tlsMaterial.key) throw new InvalidArgumentError('a TLS server needs --tls-cert and --tls-key');
  const mutual = tlsMaterial.ca !== undefined;
  const server = tls.createServer({
    cert: tlsMaterial.cert, key: tlsMaterial.key, ca: tlsMaterial.ca, requestCert: mutual, rejectUnauthorized: mutual, allowHalfOpen: true,
    handshakeTimeout: Limits.transferConnectTimeoutMs,
  }, (socket) => {
    socket.setNoDelay(true);
    onConnection(socket);
  });
  // A failed handshake (no or wrong client certificate) only closes that connection.
  server.on('tlsClientError', () => undefined);
  return server;
}

/** Listens on host:port (0 = any free port); resolves with the bound port. */
export function listenTransferServer(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Connects to a DataNode's transfer port; TLS verifies the DataNode against the CA and presents our certificate. */
export function connectTransfer(host: string, port: number, tlsMaterial: TlsMaterial | undefined, timeoutMs: number = Limits.transferConnectTimeoutMs): Promise<TransferSocket> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return Promise.reject(new UnavailableError(`datanode ${address} has no block transfer port`));
  }
  return new Promise((resolve, reject) => {
    const socket: TransferSocket = tlsMaterial
      ? tls.connect({ host, port, ca: tlsMaterial.ca, cert: tlsMaterial.cert, key: tlsMaterial.key, servername: net.isIP(host) ? undefined : host })
      : net.connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UnavailableError(`block transfer connection to ${address} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new UnavailableError(`cannot connect to block transfer port ${address}: ${err.message}`));
    };
    socket.once('error', onError);
    socket.once(tlsMaterial ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}
