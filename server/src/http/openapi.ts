import { z } from 'zod';
import {
  createLivestreamSchema,
  listLivestreamsQuerySchema,
  livestreamIdSchema,
  LIVESTREAM_STATUSES,
  TOP_RUNG_SETTINGS,
  updateLivestreamSchema,
  type ApiError,
  type Livestream,
  type LivestreamList,
  type PublicLivestream,
} from '../../../shared/livestream.js';
import { ingestHealthSchema } from '../../../shared/ingest-health.js';
import { PUBLISH_REFUSAL_CODES } from '../../../shared/publish-refusal.js';
import { recordingIdSchema, type Recording, type RecordingList } from '../../../shared/recording.js';
import { restreamOpenApi } from './openapi-restreams.js';
import { webhookOpenApi } from './openapi-webhooks.js';

// Response shapes, documented only: the compile-time checks below keep them equal to the shared types.
const publicLivestreamSchema = z.object({
  id: livestreamIdSchema,
  name: z.string(),
  status: z
    .enum(LIVESTREAM_STATUSES)
    .describe('starting: a publisher holds the livestream, nothing is playable yet; live: the manifests list playable segments'),
  viewers: z.number().int().min(0),
  createdAt: z.iso.datetime(),
  playerUrl: z.url(),
  embedHtml: z.string().describe('An <iframe> to paste into any page'),
  hlsUrl: z.url(),
  dashUrl: z.url(),
  thumbnailUrl: z
    .url()
    .nullable()
    .describe('JPEG of the newest frame: renewed every 10 s while live, the last one kept after; null before the first broadcast'),
});
const livestreamSchema = publicLivestreamSchema.extend({
  streamKey: z.string().describe('Secret: OBS "Stream Key" for RTMP, "Bearer Token" for WHIP'),
  record: z.boolean(),
  dvrWindowS: z.number().int().nullable().describe("Seconds a viewer can rewind; null: the server's AXON_DVR_WINDOW_S"),
  topRung: z
    .enum(TOP_RUNG_SETTINGS)
    .nullable()
    .describe("auto: the top rung is the source's own H.264 when it qualifies; encode: always encoded; null: the server's AXON_TOP_RUNG"),
  enabled: z.boolean().describe('false: every publish is refused (studio, WHIP, RTMP) until it is enabled again'),
  rtmpUrl: z.string().describe('OBS "Server" for RTMP'),
  rtmpsUrl: z.string().nullable().describe('OBS "Server" for RTMPS; null when the server has no certificate'),
  whipUrl: z.url(),
  health: ingestHealthSchema.optional().describe('While live on this server: the ingest as measured from its media'),
});
const livestreamListSchema = z.object({ items: z.array(livestreamSchema), nextCursor: z.string().nullable() });
const recordingSchema = z.object({
  id: recordingIdSchema,
  status: z.enum(['complete', 'interrupted']).describe('interrupted: cut by a crash, a kill or a full disk; replayable up to the cut'),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime(),
  duration: z.number().min(0).describe('Seconds of media'),
  hlsUrl: z.url(),
  dashUrl: z.url(),
  playerUrl: z.url(),
  thumbnailUrl: z.url().nullable().describe("JPEG of the broadcast's last frame; null when it ended before one was taken"),
});
const recordingListSchema = z.object({ items: z.array(recordingSchema).describe('Newest first') });
const apiErrorSchema = z.object({
  error: z.string(),
  code: z.enum(PUBLISH_REFUSAL_CODES).optional().describe('Why a publish (WHIP) was refused, for programs; `error` says it for people'),
});

/** Compile-time equality of a documented shape and its shared type. */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type Assert<T extends true> = T;
type _DocumentedShapesMatch = [
  Assert<Equals<z.infer<typeof publicLivestreamSchema>, PublicLivestream>>,
  Assert<Equals<z.infer<typeof livestreamSchema>, Livestream>>,
  Assert<Equals<z.infer<typeof livestreamListSchema>, LivestreamList>>,
  Assert<Equals<z.infer<typeof recordingSchema>, Recording>>,
  Assert<Equals<z.infer<typeof recordingListSchema>, RecordingList>>,
  Assert<Equals<z.infer<typeof apiErrorSchema>, ApiError>>,
];

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [String(c), { description: errorDescriptions[c] ?? 'Error', content: json(ref('Error')) }]),
  );
const errorDescriptions: Record<number, string> = {
  400: 'Invalid input',
  401: 'Missing or malformed Authorization header',
  403: 'Wrong API token',
  404: 'No livestream (or recording) with this id',
  409: 'A limit is reached',
  415: 'Body is not application/json',
};

/** The OpenAPI 3.1 description of the livestream API, generated from the schemas the routes validate with. */
export function buildOpenApiDocument(publicUrl: string): Record<string, unknown> {
  const idParameter = { name: 'id', in: 'path', required: true, schema: jsonSchema(livestreamIdSchema, 'input') };
  const recordingIdParameter = { name: 'recordingId', in: 'path', required: true, schema: jsonSchema(recordingIdSchema, 'input') };
  const listQuery = jsonSchema(listLivestreamsQuerySchema, 'input') as { properties: Record<string, object> };
  const listParameters = Object.entries(listQuery.properties).map(([name, schema]) => ({ name, in: 'query', schema }));
  const webhooks = webhookOpenApi({ jsonSchema, ref, json, errors });
  const restreams = restreamOpenApi({ jsonSchema, ref, json, errors });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Axon API',
      version: '1.0.0',
      description: 'Livestreams as reusable resources, their restream targets, and webhooks. Authenticate with `Authorization: Bearer <AXON_API_TOKEN>`.',
    },
    servers: [{ url: publicUrl }],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas: {
        CreateLivestreamRequest: jsonSchema(createLivestreamSchema, 'input'),
        UpdateLivestreamRequest: jsonSchema(updateLivestreamSchema, 'input'),
        Livestream: jsonSchema(livestreamSchema, 'output'),
        PublicLivestream: jsonSchema(publicLivestreamSchema, 'output'),
        LivestreamList: jsonSchema(livestreamListSchema, 'output'),
        Recording: jsonSchema(recordingSchema, 'output'),
        RecordingList: jsonSchema(recordingListSchema, 'output'),
        Error: jsonSchema(apiErrorSchema, 'output'),
        ...webhooks.schemas,
        ...restreams.schemas,
      },
    },
    paths: {
      '/api/livestreams': {
        post: {
          operationId: 'createLivestream',
          summary: 'Create a livestream',
          requestBody: { required: true, content: json(ref('CreateLivestreamRequest')) },
          responses: { '201': { description: 'Created', content: json(ref('Livestream')) }, ...errors(400, 401, 403, 415) },
        },
        get: {
          operationId: 'listLivestreams',
          summary: 'List livestreams, newest first',
          parameters: listParameters,
          responses: { '200': { description: 'One page', content: json(ref('LivestreamList')) }, ...errors(400, 401, 403) },
        },
      },
      '/api/livestreams/{id}': {
        parameters: [idParameter],
        get: {
          operationId: 'getLivestream',
          summary: 'Get a livestream: the full resource with the token, the public view without',
          security: [{}, { bearerAuth: [] }],
          responses: {
            '200': { description: 'The livestream', content: json({ oneOf: [ref('Livestream'), ref('PublicLivestream')] }) },
            ...errors(400, 401, 403, 404),
          },
        },
        patch: {
          operationId: 'updateLivestream',
          summary:
            'Rename a livestream, change whether it is recorded or its DVR window (from its next broadcast), or disable it (`enabled: false` ends its broadcast and refuses every publish) and enable it again',
          requestBody: { required: true, content: json(ref('UpdateLivestreamRequest')) },
          responses: { '200': { description: 'Updated', content: json(ref('Livestream')) }, ...errors(400, 401, 403, 404, 415) },
        },
        delete: {
          operationId: 'deleteLivestream',
          summary: 'Delete a livestream, ending its broadcast and removing its media',
          responses: { '204': { description: 'Deleted' }, ...errors(400, 401, 403, 404) },
        },
      },
      '/api/livestreams/{id}/rotate-key': {
        parameters: [idParameter],
        post: {
          operationId: 'rotateStreamKey',
          summary: 'Replace the stream key: the old key is refused at once and a broadcast published with it is ended',
          responses: { '200': { description: 'The livestream with its new key', content: json(ref('Livestream')) }, ...errors(400, 401, 403, 404) },
        },
      },
      '/api/livestreams/{id}/recordings': {
        parameters: [idParameter],
        get: {
          operationId: 'listRecordings',
          summary: "A livestream's finished recordings (one per broadcast), newest first; public like the media",
          security: [{}, { bearerAuth: [] }],
          responses: { '200': { description: 'The recordings', content: json(ref('RecordingList')) }, ...errors(400, 404) },
        },
      },
      '/api/livestreams/{id}/recordings/{recordingId}': {
        parameters: [idParameter, recordingIdParameter],
        get: {
          operationId: 'getRecording',
          summary: 'One finished recording',
          security: [{}, { bearerAuth: [] }],
          responses: { '200': { description: 'The recording', content: json(ref('Recording')) }, ...errors(400, 404) },
        },
        delete: {
          operationId: 'deleteRecording',
          summary: 'Delete a recording and free its disk space',
          responses: { '204': { description: 'Deleted' }, ...errors(400, 401, 403, 404) },
        },
      },
      ...webhooks.paths,
      ...restreams.paths,
    },
  };
}
