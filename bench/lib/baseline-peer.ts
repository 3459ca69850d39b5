/**
 * The far end of the baselines suite's network measurements, run as a child process (fork) so
 * sender and receiver each get their own event loop, as a client and a DataNode would.
 *
 * - `tcp`: a `net` server that counts bytes on each connection and answers one byte once it has
 *   received the number of bytes the connection announced in its first 8 bytes.
 * - `grpc`: a grpc-js server with one bidi method `Pull`: the client sends one Chunk whose `total`
 *   says how many bytes it wants; the server streams Chunks of `chunk` bytes back, honouring
 *   backpressure, then ends the call. Data flows server -> client, so the receiving side is the
 *   client channel, whose HTTP/2 window grpc-js lets us set (`grpc-node.flow_control_window`; the
 *   grpc-js server ignores that option).
 *
 * The parent talks to it over IPC: it sends {start: 'tcp' | 'grpc'} and gets {port}.
 */
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/** message Chunk { bytes data = 1; uint64 total = 2; } */
export const Chunk = new protobuf.Type('Chunk').add(new protobuf.Field('data', 1, 'bytes')).add(new protobuf.Field('total', 2, 'uint64'));

export interface ChunkMessage { data: Buffer; total: number }

export const PULL_SERVICE: grpc.ServiceDefinition = {
  Pull: {
    path: '/minidfs.bench.Baseline/Pull',
    requestStream: true,
    responseStream: true,
    requestSerialize: (m: ChunkMessage) => Buffer.from(Chunk.encode(m).finish()),
    requestDeserialize: (b: Buffer) => Chunk.toObject(Chunk.decode(b), { longs: Number }) as ChunkMessage,
    responseSerialize: (m: ChunkMessage) => Buffer.from(Chunk.encode(m).finish()),
    responseDeserialize: (b: Buffer) => Chunk.decode(b) as unknown as ChunkMessage,
  },
};

const MAX_MESSAGE = 8 * 1024 * 1024;

function startTcp(): Promise<number> {
  const server = net.createServer((sock) => {
    let expected = -1;
    let received = 0;
    let header = Buffer.alloc(0);
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => {
      if (expected < 0) {
        header = Buffer.concat([header, d]);
        if (header.length < 8) return;
        expected = Number(header.readBigUInt64BE(0));
        received = header.length - 8;
      } else {
        received += d.length;
      }
      if (received >= expected) sock.end(Buffer.from([1]));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

function startGrpc(): Promise<number> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_MESSAGE, 'grpc.max_send_message_length': MAX_MESSAGE });
  server.addService(PULL_SERVICE, {
    Pull: (call: grpc.ServerDuplexStream<ChunkMessage, ChunkMessage>) => {
      call.on('error', () => undefined);
      call.once('data', (req: ChunkMessage) => {
        const size = req.data.length > 0 ? req.data.length : 64 * 1024;
        const payload = Buffer.alloc(size, 7);
        let left = req.total;
        const pump = (): void => {
          while (left > 0) {
            const data = left >= size ? payload : payload.subarray(0, left);
            left -= data.length;
            if (!call.write({ data, total: 0 })) {
              call.once('drain', pump);
              return;
            }
          }
          call.end();
        };
        pump();
      });
    },
  });
  return new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
}

if (require.main === module) {
  process.on('message', (m: { start: 'tcp' | 'grpc' }) => {
    void (m.start === 'tcp' ? startTcp() : startGrpc()).then((port) => process.send!({ port }));
  });
  process.on('disconnect', () => process.exit(0));
}
