/**
 * NameNode HTTP adapter (fastify): the web UI, Prometheus metrics and the JSON API the UI, the CLI
 * and monitoring read. Everything here is read-only; docs/API.md documents every route.
 *   GET /                 web UI (static files from packages/namenode/ui, no build step)
 *   GET /metrics          Prometheus text format (prom-client)
 *   GET /healthz          {"status":"ok"}
 *   GET /api/datanodes    the same JSON as `minidfs report --json`
 *   GET /api/events       recent cluster events (?after=SEQ)
 *   GET /api/fsck         `minidfs fsck --json` (?path=/dir)
 *   GET /api/heartbeats   recent heartbeat receive times per DataNode (ms ago)
 *   GET /api/overview     one snapshot: datanodes + fsck + heartbeats + liveness settings
 *   GET /api/stream       Server-Sent Events: `snapshot` every SNAPSHOT_INTERVAL_MS, `events` as they happen
 *   GET /api/files        list a directory (?path=), /api/files/stat (?path=), /api/files/download (?path=)
 *
 * With TLS configured (HttpDeps.tls) the same routes are served over HTTPS only, and on a cluster
 * with a CA (mutual TLS) only to clients presenting a certificate signed by it.
 *
 * The stream has one timer, running only while a client is connected: every STREAM_POLL_MS it sends
 * new events, every SNAPSHOT_INTERVAL_MS one snapshot built once and written to every client.
 * Clients are bounded (MAX_STREAM_CLIENTS); a client that stops reading is dropped once its
 * unsent output passes MAX_STREAM_BUFFERED_BYTES; all streams end when the server closes.
 */
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import type { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type https from 'node:https';
import { type DfsError, InvalidArgumentError, type LivenessConfig, type TlsMaterial } from '@minidfs/common';
import type { ClusterEvent } from '../core/event-log';
import type { FileStatus } from '../core/namespace';
import type { HeartbeatTimelineJson } from './metrics';
import type { FsckReport } from './namesystem';
import type { DatanodeReportJson } from './report';

/** Concurrent `/api/stream` clients; more are answered 503. */
export const MAX_STREAM_CLIENTS = 32;
/** How often the stream looks for new events, ms. */
export const STREAM_POLL_MS = 100;
/** How often the stream pushes a full snapshot, ms. */
export const SNAPSHOT_INTERVAL_MS = 500;
/** Events sent to a new stream client as backlog (the UI's event log starts with these). */
export const STREAM_BACKLOG_EVENTS = 300;
/** Unsent bytes a stream client may accumulate before it is dropped (it stopped reading). */
export const MAX_STREAM_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Directory entries one /api/files call returns. */
export const MAX_LISTED_FILES = 10_000;
/** Where the UI's static files live: packages/namenode/ui, the same from src/ and dist/. */
export const UI_DIR = path.resolve(__dirname, '../../ui');

/** The UI's files: a fixed list, so no request path ever reaches the file system. */
const UI_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** No external fonts, scripts or CDNs: the page only talks to this server. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

export interface Overview {
  /** Wall-clock time of the snapshot (ms since epoch). */
  atMs: number;
  clusterId: string;
  liveness: LivenessConfig | undefined;
  datanodes: DatanodeReportJson;
  fsck: FsckReport | { error: string };
  heartbeats: HeartbeatTimelineJson | undefined;
  /** Whether /api/files/download can serve file content. */
  downloads: boolean;
  /** This NameNode's HA role and epoch (docs/HA.md); absent without HA. */
  ha?: { namenodeId: string; role: string; epoch: number; activeAddress: string };
  /** Seq of the newest event when the snapshot was taken. */
  lastEventSeq: number;
}

export type FileReader = (path: string) => Readable | Promise<Readable>;

export interface HttpDeps {
  datanodeReport(): DatanodeReportJson;
  events(afterSeq: number): ClusterEvent[];
  fsck(path: string): FsckReport;
  /** The rest is optional: without it the matching route answers 404/501. */
  metrics?: { readonly contentType: string; render(): Promise<string> };
  heartbeats?(): HeartbeatTimelineJson;
  liveness?: LivenessConfig;
  clusterId?: string;
  listStatus?(path: string): FileStatus[];
  /** One page of a directory listing (Namesystem.listStatusPage); preferred over listStatus. */
  listStatusPage?(path: string, startAfter: string): { entries: FileStatus[]; remaining: number };
  getFileInfo?(path: string): FileStatus;
  /** Reader of file content for /api/files/download (needs a client; none = 501). */
  fileReader?(): FileReader | undefined;
  uiDir?: string;
  /** HA view (GET /api/ha); absent or undefined = HA off. */
  ha?(): { namenodeId: string; role: string; epoch: number; activeAddress: string } | undefined;
  /**
   * The NameNode's TLS material (the same files as its gRPC port): with a certificate and key the
   * server speaks HTTPS only; with a CA too, every request needs a client certificate signed by
   * that CA, like the gRPC ports (the TLS handshake fails without one). None: plain HTTP.
   */
  tls?: TlsMaterial;
}

/** Fastify's `https` options for `tls` (undefined: plain HTTP). */
export function httpsOptions(tls: TlsMaterial | undefined): https.ServerOptions | undefined {
  if (!tls) return undefined;
  if (!tls.cert || !tls.key) throw new InvalidArgumentError('HTTPS needs --tls-cert and --tls-key');
  return tls.ca
    ? { cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: true }
    : { cert: tls.cert, key: tls.key };
}

export function createHttpServer(deps: HttpDeps): FastifyInstance {
  const secure = httpsOptions(deps.tls);
  const app = (secure ? Fastify({ logger: false, https: secure }) : Fastify({ logger: false })) as unknown as FastifyInstance;
  const uiDir = deps.uiDir ?? UI_DIR;
  const stream = new StreamHub(deps);
  app.addHook('preClose', async () => stream.closeAll());

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/api/datanodes', async () => deps.datanodeReport());
  app.get<{ Querystring: { after?: string } }>('/api/events', async (req) => ({ events: deps.events(seqParam(req.query.after)) }));
  app.get<{ Querystring: { path?: string } }>('/api/fsck', async (req, reply) => {
    try {
      return deps.fsck(req.query.path ?? '/');
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.get('/api/heartbeats', async (_req, reply) => (deps.heartbeats ? deps.heartbeats() : reply.code(404).send({ error: 'NOT_AVAILABLE' })));
  app.get('/api/overview', async () => stream.overview());
  app.get('/api/ha', async (_req, reply) => deps.ha?.() ?? reply.code(501).send({ error: 'NOT_AVAILABLE', message: 'high availability is off on this NameNode' }));
  app.get<{ Querystring: { after?: string } }>('/api/stream', (req, reply) => {
    const lastEventId = req.headers['last-event-id'];
    const after = typeof lastEventId === 'string' && lastEventId !== '' ? seqParam(lastEventId) : req.query.after !== undefined ? seqParam(req.query.after) : undefined;
    stream.attach(reply, after);
  });

  app.get('/metrics', async (_req, reply) => {
    if (!deps.metrics) return reply.code(404).send({ error: 'NOT_AVAILABLE' });
    const text = await deps.metrics.render();
    return reply.header('content-type', deps.metrics.contentType).header('cache-control', 'no-store').send(text);
  });

  app.get<{ Querystring: { path?: string; startAfter?: string } }>('/api/files', async (req, reply) => {
    if ((!deps.listStatus && !deps.listStatusPage) || !deps.getFileInfo) return reply.code(501).send({ error: 'NOT_AVAILABLE' });
    try {
      const p = req.query.path || '/';
      const status = deps.getFileInfo(p);
      if (deps.listStatusPage) {
        // Pages of at most Limits.listingPageSize entries: ask again with startAfter=nextStartAfter while remaining > 0.
        const page = status.isDirectory ? deps.listStatusPage(p, req.query.startAfter ?? '') : { entries: [status], remaining: 0 };
        const last = page.entries[page.entries.length - 1];
        return {
          path: status.path, isDirectory: status.isDirectory, entries: page.entries, remaining: page.remaining, truncated: page.remaining > 0,
          ...(page.remaining > 0 && last ? { nextStartAfter: path.posix.basename(last.path) } : {}),
        };
      }
      const entries = status.isDirectory ? deps.listStatus!(p) : [status];
      return { path: status.path, isDirectory: status.isDirectory, truncated: entries.length > MAX_LISTED_FILES, entries: entries.slice(0, MAX_LISTED_FILES) };
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.get<{ Querystring: { path?: string } }>('/api/files/stat', async (req, reply) => {
    if (!deps.getFileInfo) return reply.code(501).send({ error: 'NOT_AVAILABLE' });
    try {
      return deps.getFileInfo(req.query.path || '/');
    } catch (err) {
      return sendError(reply, err);
    }
  });
  app.get<{ Querystring: { path?: string } }>('/api/files/download', async (req, reply) => {
    const openFile = deps.fileReader?.();
    if (!openFile || !deps.getFileInfo) return reply.code(501).send({ error: 'NOT_AVAILABLE', message: 'this NameNode has no file reader' });
    try {
      const status = deps.getFileInfo(req.query.path || '/');
      if (status.isDirectory) return reply.code(400).send({ error: 'IS_A_DIRECTORY', message: `${status.path} is a directory` });
      const body = await openFile(status.path);
      const name = path.posix.basename(status.path).replace(/[^\w.-]/g, '_') || 'download';
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(status.lengthBytes))
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(body);
    } catch (err) {
      return sendError(reply, err);
    }
  });

  const serveUi = (file: string) => async (_req: unknown, reply: FastifyReply) => {
    try {
      const body = await fs.promises.readFile(path.join(uiDir, file));
      return reply
        .header('content-type', UI_FILES[file])
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('x-content-type-options', 'nosniff')
        .send(body);
    } catch {
      return reply.code(404).send({ error: 'NOT_FOUND', message: `UI file ${file} is missing (looked in ${uiDir})` });
    }
  };
  app.get('/', serveUi('index.html'));
  for (const file of Object.keys(UI_FILES)) app.get(`/${file}`, serveUi(file));
  return app;
}

function seqParam(raw: string | undefined): number {
  const n = Number(raw ?? 0);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

function sendError(reply: FastifyReply, err: unknown) {
  const e = err as DfsError;
  const status = e.code === 'FILE_NOT_FOUND' ? 404 : e.code === 'INVALID_PATH' || e.code === 'INVALID_ARGUMENT' || e.code === 'NOT_A_DIRECTORY' ? 400 : e.code === 'SAFE_MODE' ? 503 : 500;
  return reply.code(status).send({ error: e.code ?? 'INTERNAL', message: e.message });
}

/** The `/api/stream` clients and the one timer that feeds them. */
class StreamHub {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private lastSeq = 0;
  private lastSnapshotMs = 0;

  constructor(private readonly deps: HttpDeps) {}

  overview(): Overview {
    const d = this.deps;
    let fsck: Overview['fsck'];
    try {
      fsck = d.fsck('/');
    } catch (err) {
      fsck = { error: (err as Error).message };
    }
    const newest = d.events(Math.max(0, this.lastSeq));
    return {
      atMs: Date.now(), clusterId: d.clusterId ?? '', liveness: d.liveness, datanodes: d.datanodeReport(), fsck,
      heartbeats: d.heartbeats?.(), downloads: !!d.fileReader?.(), lastEventSeq: newest.length ? newest[newest.length - 1].seq : this.lastSeq,
      ...haView(d),
    };
  }

  attach(reply: FastifyReply, afterSeq: number | undefined): void {
    if (this.clients.size >= MAX_STREAM_CLIENTS) {
      void reply.code(503).header('retry-after', '5').send({ error: 'TOO_MANY_STREAMS', message: `at most ${MAX_STREAM_CLIENTS} live UI streams` });
      return;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no',
    });
    this.clients.add(res);
    const drop = () => this.detach(res);
    res.on('close', drop);
    res.on('error', drop);
    // A new client gets a snapshot and the recent events at once, then the live feed.
    if (this.lastSeq === 0) this.lastSeq = this.newestSeq();
    // A Last-Event-ID from before a NameNode restart (sequence numbers start again): send the backlog.
    if (afterSeq !== undefined && afterSeq > this.lastSeq) afterSeq = undefined;
    const backlog = this.deps.events(afterSeq ?? 0).filter((e) => e.seq <= this.lastSeq);
    const events = afterSeq === undefined ? backlog.slice(-STREAM_BACKLOG_EVENTS) : backlog;
    this.write(res, `retry: 1000\n\n`);
    this.write(res, frame('snapshot', this.overview()));
    if (events.length) this.write(res, frame('events', events, events[events.length - 1].seq));
    if (!this.timer) {
      this.timer = setInterval(() => this.pump(), STREAM_POLL_MS);
      this.timer.unref();
    }
  }

  closeAll(): void {
    for (const res of [...this.clients]) {
      res.end();
      this.detach(res);
    }
  }

  private detach(res: ServerResponse): void {
    this.clients.delete(res);
    if (this.clients.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.lastSeq = 0;
    }
  }

  private pump(): void {
    const events = this.deps.events(this.lastSeq);
    let payload = '';
    if (events.length) {
      this.lastSeq = events[events.length - 1].seq;
      payload += frame('events', events, this.lastSeq);
    }
    const now = Date.now();
    if (now - this.lastSnapshotMs >= SNAPSHOT_INTERVAL_MS) {
      this.lastSnapshotMs = now;
      payload += frame('snapshot', this.overview());
    }
    if (!payload) return;
    for (const res of [...this.clients]) this.write(res, payload);
  }

  private write(res: ServerResponse, text: string): void {
    if (res.writableLength > MAX_STREAM_BUFFERED_BYTES) {
      res.destroy();
      this.detach(res);
      return;
    }
    res.write(text);
  }

  private newestSeq(): number {
    const all = this.deps.events(0);
    return all.length ? all[all.length - 1].seq : 0;
  }
}

function frame(event: string, data: unknown, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function haView(d: HttpDeps): { ha?: Overview['ha'] } {
  const h = d.ha?.();
  return h ? { ha: { namenodeId: h.namenodeId, role: h.role, epoch: h.epoch, activeAddress: h.activeAddress } } : {};
}
