/**
 * A raw block transfer (TCP) client for tests: one connection, the given header and packets as
 * written, then everything the DataNode sends until it closes the connection (or `timeoutMs`).
 * Unlike common/transfer-client.ts it checks nothing, so tests can send what a client never would.
 */
import {
  FrameDecoder, type PacketFrame, type TlsMaterial, type TransferOpHeaderIn, type TransferStatus__Output, chunkCrcs, connectTransfer, encodePacket,
  encodePreamble,
} from '@minidfs/common';

export interface RawPacket {
  data: Buffer;
  last: boolean;
  /** Default: 1, 2, ... */
  seqno?: number;
  /** Default: consecutive from 0. */
  offsetBytes?: number;
  /** Default: the right ones. */
  crcs?: number[];
}

export interface RawOutcome {
  statuses: TransferStatus__Output[];
  packets: PacketFrame[];
  /** The first error status, if any. */
  error?: { code: string; badNode: string; message: string };
  /** A finalized ack arrived. */
  finalized?: TransferStatus__Output;
  /** Bytes of the packets received (reads). */
  bytes: number;
}

export async function rawTransfer(
  target: { host: string; transferPort: number }, header: TransferOpHeaderIn, packets: RawPacket[] = [],
  options: { tls?: TlsMaterial; timeoutMs?: number } = {},
): Promise<RawOutcome> {
  const socket = await connectTransfer(target.host, target.transferPort, options.tls);
  const decoder = new FrameDecoder(false);
  const out: RawOutcome = { statuses: [], packets: [], bytes: 0 };
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.destroy(), options.timeoutMs ?? 10_000);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.kind === 'message') {
          out.statuses.push(frame.status);
          if (frame.status.errorCode && !out.error) out.error = { code: frame.status.errorCode, badNode: frame.status.badNode, message: frame.status.errorMessage };
          if (frame.status.finalized && !frame.status.errorCode) out.finalized = frame.status;
        } else if (frame.kind === 'packet') {
          out.packets.push(frame);
          out.bytes += frame.data.length;
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.write(encodePreamble(header));
    let offset = 0;
    packets.forEach((p, i) => {
      socket.write(encodePacket(p.seqno ?? i + 1, p.offsetBytes ?? offset, p.last, p.data, p.crcs ?? chunkCrcs(p.data)));
      offset += p.data.length;
    });
  });
}
