/**
 * NameNode HTTP adapter (fastify): JSON API for the CLI, the UI and monitoring.
 *   GET /healthz        -> {"status":"ok"}
 *   GET /api/datanodes  -> the same JSON as `minidfs report --json`
 *   GET /api/events     -> recent cluster events (?after=SEQ)
 *   GET /api/fsck       -> `minidfs fsck --json` (?path=/dir)
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { ClusterEvent } from '../core/event-log';
import type { DfsError } from '@minidfs/common';
import type { FsckReport } from './namesystem';
import type { DatanodeReportJson } from './report';

export interface HttpDeps {
  datanodeReport(): DatanodeReportJson;
  events(afterSeq: number): ClusterEvent[];
  fsck(path: string): FsckReport;
}

export function createHttpServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/api/datanodes', async () => deps.datanodeReport());
  app.get<{ Querystring: { after?: string } }>('/api/events', async (req) => {
    const after = Number(req.query.after ?? 0);
    return { events: deps.events(Number.isFinite(after) && after >= 0 ? after : 0) };
  });
  app.get<{ Querystring: { path?: string } }>('/api/fsck', async (req, reply) => {
    try {
      return deps.fsck(req.query.path ?? '/');
    } catch (err) {
      const e = err as DfsError;
      return reply.code(e.code === 'FILE_NOT_FOUND' ? 404 : e.code === 'INVALID_PATH' ? 400 : 500).send({ error: e.code ?? 'INTERNAL', message: e.message });
    }
  });
  return app;
}
