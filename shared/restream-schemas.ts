import { z } from 'zod';
import { RESTREAM_KEY_MAX, RESTREAM_NAME_MAX, RESTREAM_URL_MAX } from './restream.js';

// Apart from restream.ts, so that the pages that only need the types and presets do not bundle zod.

export const restreamIdSchema = z.string().regex(/^rs_[A-Za-z0-9_-]{8,64}$/, 'invalid restream id');

const restreamUrlSchema = z
  .string()
  .trim()
  .max(RESTREAM_URL_MAX, `url is longer than ${RESTREAM_URL_MAX} characters`)
  .superRefine((value, ctx) => {
    const url = URL.canParse(value) ? new URL(value) : null;
    if (!url || (url.protocol !== 'rtmp:' && url.protocol !== 'rtmps:')) ctx.addIssue({ code: 'custom', message: 'must be an rtmp:// or rtmps:// URL' });
    else if (url.hostname === '') ctx.addIssue({ code: 'custom', message: 'must name a host' });
    // The key is a secret kept apart (masked in answers, never logged); a user or password in the URL would be neither.
    else if (url.username !== '' || url.password !== '') ctx.addIssue({ code: 'custom', message: 'must not carry a user name or password (put the key in streamKey)' });
    else if (url.search !== '' || url.hash !== '') ctx.addIssue({ code: 'custom', message: 'must not carry a query or fragment (put the key in streamKey)' });
  });

/** Printable ASCII without spaces: what platforms hand out, and nothing that could split FFmpeg's URL or a log line. */
const streamKeySchema = z
  .string()
  .min(1, 'streamKey must not be empty')
  .max(RESTREAM_KEY_MAX, `streamKey is longer than ${RESTREAM_KEY_MAX} characters`)
  .regex(/^[\x21-\x7e]+$/, 'streamKey must be printable characters without spaces or control characters');

const nameSchema = z.string().trim().min(1, 'name must not be empty').max(RESTREAM_NAME_MAX, `name is longer than ${RESTREAM_NAME_MAX} characters`);

export const createRestreamSchema = z
  .object({ name: nameSchema, url: restreamUrlSchema, streamKey: streamKeySchema, enabled: z.boolean().default(true) })
  .strict();
export type CreateRestreamRequest = z.input<typeof createRestreamSchema>;

export const updateRestreamSchema = z
  .object({ name: nameSchema.optional(), url: restreamUrlSchema.optional(), streamKey: streamKeySchema.optional(), enabled: z.boolean().optional() })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'nothing to change: give name, url, streamKey or enabled');
export type UpdateRestreamRequest = z.input<typeof updateRestreamSchema>;
