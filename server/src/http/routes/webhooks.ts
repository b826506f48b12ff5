import type { FastifyPluginAsync } from 'fastify';
import { listLivestreamsQuerySchema } from '../../../../shared/livestream.js';
import { createWebhookSchema, updateWebhookSchema, webhookIdSchema } from '../../../../shared/webhook-schemas.js';
import type {
  Webhook,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookList,
  WebhookPayload,
} from '../../../../shared/webhooks.js';
import { InvalidCursorError } from '../../store/livestream-repository.js';
import type { DeliveryRecord } from '../../webhooks/webhook-repository.js';
import { TooManyWebhooksError, webhookView, type WebhookService } from '../../webhooks/webhook-service.js';
import type { AdminAuth } from '../admin-auth.js';
import { HttpError, parseInput } from '../http-error.js';

export interface WebhookRoutesOptions {
  webhooks: WebhookService;
  auth: AdminAuth;
}

interface IdParams {
  id: string;
}

const deliveryView = ({ webhookId: _webhookId, payload, ...rest }: DeliveryRecord): WebhookDelivery => ({
  ...rest,
  payload: JSON.parse(payload) as WebhookPayload,
});

/** The webhook API, admin only. A webhook's secret is in the answer that creates it and nowhere else. */
export const webhookRoutes: FastifyPluginAsync<WebhookRoutesOptions> = async (app, { webhooks, auth }) => {
  const find = async (rawId: string) => {
    const webhook = await webhooks.repository.get(parseInput(webhookIdSchema, rawId));
    if (!webhook) throw new HttpError(404, 'no webhook with this id');
    return webhook;
  };

  app.addHook('onRequest', async (request, reply) => {
    // The creating answer carries the secret: no cache may keep it.
    reply.header('Cache-Control', 'no-store');
    auth.require(request);
  });

  app.post('/api/webhooks', async (request, reply) => {
    const input = parseInput(createWebhookSchema, request.body);
    try {
      const created = await webhooks.create(input);
      return reply.code(201).header('Location', `/api/webhooks/${created.id}`).send(created);
    } catch (err) {
      if (err instanceof TooManyWebhooksError) throw new HttpError(409, err.message);
      throw err;
    }
  });

  app.get('/api/webhooks', async (): Promise<WebhookList> => ({ items: (await webhooks.repository.list()).map(webhookView) }));

  app.get<{ Params: IdParams }>('/api/webhooks/:id', async (request): Promise<Webhook> => webhookView(await find(request.params.id)));

  app.patch<{ Params: IdParams }>('/api/webhooks/:id', async (request): Promise<Webhook> => {
    const id = parseInput(webhookIdSchema, request.params.id);
    const updated = await webhooks.update(id, parseInput(updateWebhookSchema, request.body));
    if (!updated) throw new HttpError(404, 'no webhook with this id');
    return webhookView(updated);
  });

  app.delete<{ Params: IdParams }>('/api/webhooks/:id', async (request, reply) => {
    if (!(await webhooks.delete(parseInput(webhookIdSchema, request.params.id)))) throw new HttpError(404, 'no webhook with this id');
    return reply.code(204).send();
  });

  app.get<{ Params: IdParams }>('/api/webhooks/:id/deliveries', async (request): Promise<WebhookDeliveryList> => {
    const webhook = await find(request.params.id);
    // Paged like the livestreams: the same limit and opaque cursor.
    const query = parseInput(listLivestreamsQuerySchema, request.query);
    try {
      const page = await webhooks.repository.listDeliveries(webhook.id, query);
      return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new HttpError(400, 'cursor: not a cursor from a previous page');
      throw err;
    }
  });
};
