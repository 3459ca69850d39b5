/**
 * NameNode HTTP adapter (fastify): JSON API for the CLI, the UI and monitoring.
 *   GET /healthz        -> {"status":"ok"}
 *   GET /api/datanodes  -> the same JSON as `minidfs report --json`
 *   GET /api/events     -> recent cluster events (?after=SEQ)
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { ClusterEvent } from '../core/event-log';
import type { DatanodeReportJson } from './report';

export interface HttpDeps {
  datanodeReport(): DatanodeReportJson;
  events(afterSeq: number): ClusterEvent[];
}

export function createHttpServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/api/datanodes', async () => deps.datanodeReport());
  app.get<{ Querystring: { after?: string } }>('/api/events', async (req) => {
    const after = Number(req.query.after ?? 0);
    return { events: deps.events(Number.isFinite(after) && after >= 0 ? after : 0) };
  });
  return app;
}
