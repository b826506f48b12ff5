import type { FastifyPluginAsync } from 'fastify';

export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/healthz', async (_request, reply) => reply.header('Cache-Control', 'no-store').send({ status: 'ok' }));
  // The clock players sync to (DASH UTCTiming, urn:mpeg:dash:utc:http-iso:2014): live edges are wall-clock based.
  app.get('/api/time', async (_request, reply) =>
    reply
      .header('Cache-Control', 'no-store')
      .header('Access-Control-Allow-Origin', '*')
      .type('text/plain; charset=utf-8')
      .send(new Date().toISOString()),
  );
};
