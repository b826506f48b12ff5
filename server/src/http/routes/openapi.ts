import type { FastifyPluginAsync } from 'fastify';
import { buildOpenApiDocument } from '../openapi.js';

export interface OpenApiRoutesOptions {
  publicUrl: string;
}

export const openApiRoutes: FastifyPluginAsync<OpenApiRoutesOptions> = async (app, { publicUrl }) => {
  const body = JSON.stringify(buildOpenApiDocument(publicUrl));
  app.get('/api/openapi.json', async (_request, reply) =>
    reply.header('Content-Type', 'application/json; charset=utf-8').header('Cache-Control', 'no-cache').send(body),
  );
};
