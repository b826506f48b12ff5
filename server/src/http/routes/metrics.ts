import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { AdminAuth } from '../admin-auth.js';

export interface MetricsRoutesOptions {
  registry: Registry;
  /** AXON_METRICS_TOKEN: when set, a scrape must present it as a bearer token; otherwise /metrics is public. */
  token: string | undefined;
}

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { registry, token }) => {
  const auth = token === undefined ? undefined : new AdminAuth(token, 'metrics token');
  app.get('/metrics', async (request, reply) => {
    auth?.require(request);
    const body = await registry.metrics();
    return reply.header('Content-Type', registry.contentType).header('Cache-Control', 'no-store').send(body);
  });
};
