import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_URL_MAX } from './webhooks.js';

// Apart from webhooks.ts, so that the pages that only need the types and names do not bundle zod.

export const webhookIdSchema = z.string().regex(/^wh_[A-Za-z0-9_-]{8,64}$/, 'invalid webhook id');

const webhookUrlSchema = z
  .string()
  .trim()
  .max(WEBHOOK_URL_MAX, `url is longer than ${WEBHOOK_URL_MAX} characters`)
  .superRefine((value, ctx) => {
    const url = URL.canParse(value) ? new URL(value) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) ctx.addIssue({ code: 'custom', message: 'must be an http or https URL' });
    // Credentials in a URL end up in proxies' and servers' logs; receivers check the signature instead.
    else if (url.username !== '' || url.password !== '') ctx.addIssue({ code: 'custom', message: 'must not carry a user name or password' });
  });

const webhookEventsSchema = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { error: `unknown event; known: ${WEBHOOK_EVENT_TYPES.join(', ')}` }))
  .min(1, 'events must name at least one event (or be left out for all of them)')
  .max(WEBHOOK_EVENT_TYPES.length * 2)
  .transform((events) => [...new Set(events)]);

export const createWebhookSchema = z
  .object({
    url: webhookUrlSchema,
    /** Every event type when absent. */
    events: webhookEventsSchema.default([...WEBHOOK_EVENT_TYPES]),
  })
  .strict();
export type CreateWebhookRequest = z.input<typeof createWebhookSchema>;

/** A change to a webhook: its URL, its events, or both. The secret stays (receivers keep verifying). */
export const updateWebhookSchema = z
  .object({ url: webhookUrlSchema.optional(), events: webhookEventsSchema.optional() })
  .strict()
  .refine((change) => change.url !== undefined || change.events !== undefined, 'give url, events or both');
export type UpdateWebhookRequest = z.input<typeof updateWebhookSchema>;

