import type { FastifyPluginAsync } from 'fastify';
import { formatPrometheus, PROMETHEUS_CONTENT_TYPE, type MetricSample } from '../prometheus.js';

export interface MetricsRoutesOptions {
  metrics: () => Promise<MetricSample[]>;
}

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { metrics }) => {
  app.get('/metrics', async (_request, reply) => {
    const body = formatPrometheus(await metrics());
    return reply.header('Content-Type', PROMETHEUS_CONTENT_TYPE).header('Cache-Control', 'no-store').send(body);
  });
};
