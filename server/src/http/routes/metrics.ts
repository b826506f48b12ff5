import type { FastifyPluginAsync } from 'fastify';
import { AdminAuth } from '../admin-auth.js';
import { formatPrometheus, PROMETHEUS_CONTENT_TYPE, type MetricSample } from '../prometheus.js';

export interface MetricsRoutesOptions {
  metrics: () => Promise<MetricSample[]>;
  /** AXON_METRICS_TOKEN: when set, a scrape must present it as a bearer token; otherwise /metrics is public. */
  token: string | undefined;
}

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { metrics, token }) => {
  const auth = token === undefined ? undefined : new AdminAuth(token, 'metrics token');
  app.get('/metrics', async (request, reply) => {
    auth?.require(request);
    const body = formatPrometheus(await metrics());
    return reply.header('Content-Type', PROMETHEUS_CONTENT_TYPE).header('Cache-Control', 'no-store').send(body);
  });
};
