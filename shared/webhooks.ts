import type { HealthWarningCode } from './ingest-health.js';
import type { Recording } from './recording.js';
import type { RestreamFailure } from './restream.js';

/** What a webhook can subscribe to. */
export const WEBHOOK_EVENT_TYPES = ['livestream.started', 'livestream.ended', 'recording.ready', 'livestream.health.warning', 'restream.failed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Webhooks one server keeps; each is one more request per event. */
export const WEBHOOKS_MAX = 50;
export const WEBHOOK_URL_MAX = 2048;
/** Delivered and failed deliveries stay in the delivery log this long; pending ones stay until they end. */
export const WEBHOOK_DELIVERY_LOG_DAYS = 30;

/** The `data` of each event type. */
export interface WebhookEventData {
  /** A broadcast became playable (the livestream's status turned `live`). */
  'livestream.started': { livestreamId: string; broadcastId: string; protocol: 'webrtc' | 'whip' | 'rtmp'; startedAt: string };
  /** A broadcast that had started ended; `reason` says why in plain words. */
  'livestream.ended': { livestreamId: string; broadcastId: string; reason: string; startedAt: string; endedAt: string };
  /** A broadcast's recording is replayable (its id is the broadcast id). */
  'recording.ready': Recording & { livestreamId: string };
  /** The ingest of a live broadcast looks wrong (keyframe interval, ladder below real time, no audio). */
  'livestream.health.warning': { livestreamId: string; broadcastId: string; code: HealthWarningCode; warning: string };
  /** A restream target was given up for the rest of the broadcast (never with its stream key). */
  'restream.failed': { livestreamId: string; restreamId: string; name: string; url: string; reason: RestreamFailure };
}

/** The JSON body of a webhook request, per the Standard Webhooks specification. */
export type WebhookPayload<T extends WebhookEventType = WebhookEventType> = {
  [K in T]: { type: K; timestamp: string; data: WebhookEventData[K] };
}[T];

/** A webhook as listed: its secret is shown once, in the answer that creates it. */
export interface Webhook {
  id: string;
  url: string;
  events: WebhookEventType[];
  createdAt: string;
}

export interface CreatedWebhook extends Webhook {
  /** `whsec_` + base64: the key receivers verify signatures with (Standard Webhooks). */
  secret: string;
}

export interface WebhookList {
  items: Webhook[];
}

/** pending: waiting for its next attempt; delivered: a 2xx answer; failed: every retry used. */
export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  /** Sent as `webhook-id`: the same on every retry, so receivers can drop duplicates. */
  id: string;
  eventType: WebhookEventType;
  payload: WebhookPayload;
  state: WebhookDeliveryState;
  attempts: number;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: string | null;
  /** The HTTP status of the last attempt; null before one, or when it had no answer. */
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface WebhookDeliveryList {
  /** Newest first. */
  items: WebhookDelivery[];
  nextCursor: string | null;
}
