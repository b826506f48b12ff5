import { z } from 'zod';
import { livestreamIdSchema } from '../../../shared/livestream.js';
import { RESTREAM_FAILURE_CODES, RESTREAM_STATUSES, type RestreamTarget, type RestreamTargetList } from '../../../shared/restream.js';
import { createRestreamSchema, restreamIdSchema, updateRestreamSchema } from '../../../shared/restream-schemas.js';
import type { Assert, Equals } from './openapi.js';
import type { OpenApiHelpers } from './openapi-webhooks.js';

// Response shapes, documented only: the compile-time checks below keep them equal to the shared types.
const failureSchema = z.object({
  code: z.enum(RESTREAM_FAILURE_CODES),
  message: z.string().describe("In plain words, ending with FFmpeg's last line (the key replaced by …)"),
});
const targetSchema = z.object({
  id: restreamIdSchema,
  livestreamId: z.string(),
  name: z.string(),
  url: z.string().describe('rtmp:// or rtmps:// ingest URL, without the key'),
  streamKeyMasked: z.string().describe('… and the last 4 characters of the key (nothing of a key of 8 characters or fewer)'),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  status: z.enum(RESTREAM_STATUSES),
  reason: failureSchema.nullable().describe('Why the target is retrying or failed'),
  source: z.enum(['passthrough', 'rung']).nullable().describe("The publisher's own stream, or a rung Axon encodes; null when idle"),
  bitrateOut: z.number().nullable().describe('Bits per second written to the destination over the last 4 s; null unless live'),
  uptimeS: z.number().nullable().describe('Seconds since this push went live; null unless live'),
});
const targetListSchema = z.object({ items: z.array(targetSchema).describe('Oldest first') });

type _DocumentedShapesMatch = [Assert<Equals<z.infer<typeof targetSchema>, RestreamTarget>>, Assert<Equals<z.infer<typeof targetListSchema>, RestreamTargetList>>];

/** The restream API's part of the OpenAPI document: its schemas and its paths. */
export function restreamOpenApi({ jsonSchema, ref, json, errors }: OpenApiHelpers) {
  const livestream = { name: 'id', in: 'path', required: true, schema: jsonSchema(livestreamIdSchema, 'input') };
  const target = { name: 'restreamId', in: 'path', required: true, schema: jsonSchema(restreamIdSchema, 'input') };
  const one = (description: string) => ({ '200': { description, content: json(ref('RestreamTarget')) } });
  return {
    schemas: {
      CreateRestreamRequest: jsonSchema(createRestreamSchema, 'input'),
      UpdateRestreamRequest: jsonSchema(updateRestreamSchema, 'input'),
      RestreamTarget: jsonSchema(targetSchema, 'output'),
      RestreamTargetList: jsonSchema(targetListSchema, 'output'),
    },
    paths: {
      '/api/livestreams/{id}/restreams': {
        parameters: [livestream],
        post: {
          operationId: 'createRestream',
          summary: 'Add a restream target (at most 10 per livestream); its key is never shown again',
          requestBody: { required: true, content: json(ref('CreateRestreamRequest')) },
          responses: { '201': { description: 'Created', content: json(ref('RestreamTarget')) }, ...errors(400, 401, 403, 404, 415) },
        },
        get: {
          operationId: 'listRestreams',
          summary: "A livestream's restream targets with their status",
          responses: { '200': { description: 'The targets', content: json(ref('RestreamTargetList')) }, ...errors(400, 401, 403, 404) },
        },
      },
      '/api/livestreams/{id}/restreams/{restreamId}': {
        parameters: [livestream, target],
        get: { operationId: 'getRestream', summary: 'One restream target', responses: { ...one('The target'), ...errors(400, 401, 403, 404) } },
        patch: {
          operationId: 'updateRestream',
          summary: 'Change a target; a live push restarts with a new URL or key, stops when disabled',
          requestBody: { required: true, content: json(ref('UpdateRestreamRequest')) },
          responses: { ...one('The target'), ...errors(400, 401, 403, 404, 415) },
        },
        delete: { operationId: 'deleteRestream', summary: 'Delete a target; its push stops', responses: { '204': { description: 'Deleted' }, ...errors(400, 401, 403, 404) } },
      },
    },
  };
}
