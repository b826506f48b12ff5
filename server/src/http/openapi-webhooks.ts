import { z } from 'zod';
import { listLivestreamsQuerySchema } from '../../../shared/livestream.js';
import { createWebhookSchema, updateWebhookSchema, webhookIdSchema } from '../../../shared/webhook-schemas.js';
import { WEBHOOK_DELIVERY_LOG_DAYS, WEBHOOK_EVENT_TYPES, type CreatedWebhook, type Webhook, type WebhookList } from '../../../shared/webhooks.js';
import type { Assert, Equals } from './openapi.js';

// Response shapes, documented only: the compile-time checks below keep them equal to the shared types.
const webhookSchema = z.object({
  id: webhookIdSchema,
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  createdAt: z.iso.datetime(),
});
const createdWebhookSchema = webhookSchema.extend({
  secret: z.string().describe('whsec_ + base64: verify signatures with it (Standard Webhooks). Shown in this answer only'),
});
const webhookListSchema = z.object({ items: z.array(webhookSchema).describe('Oldest first') });
const webhookDeliverySchema = z.object({
  id: z.string().describe('Sent as webhook-id, the same on every retry'),
  eventType: z.enum(WEBHOOK_EVENT_TYPES),
  payload: z
    .object({ type: z.enum(WEBHOOK_EVENT_TYPES), timestamp: z.iso.datetime(), data: z.record(z.string(), z.unknown()) })
    .describe('The body sent, as Standard Webhooks shapes it'),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int().min(0),
  nextAttemptAt: z.iso.datetime().nullable(),
  lastStatus: z.number().int().nullable().describe("The receiver's HTTP status at the last attempt; null without an answer"),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  deliveredAt: z.iso.datetime().nullable(),
});
const webhookDeliveryListSchema = z.object({ items: z.array(webhookDeliverySchema).describe('Newest first'), nextCursor: z.string().nullable() });

type _DocumentedShapesMatch = [
  Assert<Equals<z.infer<typeof webhookSchema>, Webhook>>,
  Assert<Equals<z.infer<typeof createdWebhookSchema>, CreatedWebhook>>,
  Assert<Equals<z.infer<typeof webhookListSchema>, WebhookList>>,
];

/** The document builder's helpers, passed in so that this part needs nothing else from it. */
export interface OpenApiHelpers {
  jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown>;
  ref(name: string): object;
  json(schema: object): object;
  errors(...codes: number[]): Record<string, unknown>;
}

/** The webhook API's part of the OpenAPI document: its schemas and its paths. */
export function webhookOpenApi({ jsonSchema, ref, json, errors }: OpenApiHelpers) {
  const idParameter = { name: 'id', in: 'path', required: true, schema: jsonSchema(webhookIdSchema, 'input') };
  const pageQuery = jsonSchema(listLivestreamsQuerySchema, 'input') as { properties: Record<string, object> };
  return {
    schemas: {
      CreateWebhookRequest: jsonSchema(createWebhookSchema, 'input'),
      UpdateWebhookRequest: jsonSchema(updateWebhookSchema, 'input'),
      Webhook: jsonSchema(webhookSchema, 'output'),
      CreatedWebhook: jsonSchema(createdWebhookSchema, 'output'),
      WebhookList: jsonSchema(webhookListSchema, 'output'),
      WebhookDeliveryList: jsonSchema(webhookDeliveryListSchema, 'output'),
    },
    paths: {
      '/api/webhooks': {
        post: {
          operationId: 'createWebhook',
          summary: 'Register a webhook; its secret is in this answer only',
          requestBody: { required: true, content: json(ref('CreateWebhookRequest')) },
          responses: { '201': { description: 'Created', content: json(ref('CreatedWebhook')) }, ...errors(400, 401, 403, 409, 415) },
        },
        get: {
          operationId: 'listWebhooks',
          summary: 'List the webhooks, without their secrets',
          responses: { '200': { description: 'The webhooks', content: json(ref('WebhookList')) }, ...errors(401, 403) },
        },
      },
      '/api/webhooks/{id}': {
        parameters: [idParameter],
        get: {
          operationId: 'getWebhook',
          summary: 'One webhook, without its secret',
          responses: { '200': { description: 'The webhook', content: json(ref('Webhook')) }, ...errors(400, 401, 403, 404) },
        },
        patch: {
          operationId: 'updateWebhook',
          summary: "Change a webhook's URL or events; its secret stays",
          requestBody: { required: true, content: json(ref('UpdateWebhookRequest')) },
          responses: { '200': { description: 'The webhook', content: json(ref('Webhook')) }, ...errors(400, 401, 403, 404, 415) },
        },
        delete: {
          operationId: 'deleteWebhook',
          summary: 'Delete a webhook and its queued deliveries',
          responses: { '204': { description: 'Deleted' }, ...errors(400, 401, 403, 404) },
        },
      },
      '/api/webhooks/{id}/deliveries': {
        parameters: [idParameter],
        get: {
          operationId: 'listWebhookDeliveries',
          summary: `A webhook's delivery log, newest first; ended deliveries are kept ${WEBHOOK_DELIVERY_LOG_DAYS} days`,
          parameters: Object.entries(pageQuery.properties).map(([name, schema]) => ({ name, in: 'query', schema })),
          responses: { '200': { description: 'One page', content: json(ref('WebhookDeliveryList')) }, ...errors(400, 401, 403, 404) },
        },
      },
    },
  };
}
