import type {
  CreateLivestreamRequest,
  Livestream,
  LivestreamList,
  PublicLivestream,
  UpdateLivestreamRequest,
} from '../../shared/livestream.js';
import { livestreamApiPath, PATHS } from '../../shared/public-paths.js';
import type { RecordingList } from '../../shared/recording.js';
import type { RestreamTarget, RestreamTargetList } from '../../shared/restream.js';
import type { CreateRestreamRequest, UpdateRestreamRequest } from '../../shared/restream-schemas.js';
import type { CreatedWebhook, Webhook, WebhookDeliveryList, WebhookEventType, WebhookList } from '../../shared/webhooks.js';

/** A failed API call. status 0 means the server could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get unauthorized(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  token?: string;
  body?: unknown;
}

async function request<T>(path: string, { method = 'GET', token, body }: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'Cannot reach the Axon server');
  }
  const text = await response.text();
  const json = parseJson(text);
  if (!response.ok) {
    const message =
      json && typeof json === 'object' && 'error' in json && typeof json.error === 'string'
        ? json.error
        : `The server answered ${response.status} ${response.statusText}`.trim();
    throw new ApiError(response.status, message);
  }
  return json as T;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What anyone may read of a livestream (no token). */
export function getPublicLivestream(id: string): Promise<PublicLivestream> {
  return request<PublicLivestream>(livestreamApiPath(id));
}

/** A livestream's replayable recordings, newest first (no token). */
export function listRecordings(livestreamId: string): Promise<RecordingList> {
  return request<RecordingList>(`${livestreamApiPath(livestreamId)}/recordings`);
}

/** The owner's API (every call carries the API token). */
export class LivestreamsApi {
  constructor(private readonly token: string) {}

  list(cursor?: string): Promise<LivestreamList> {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    return request<LivestreamList>(`${PATHS.api}/livestreams${query}`, { token: this.token });
  }

  create(body: CreateLivestreamRequest): Promise<Livestream> {
    return request<Livestream>(`${PATHS.api}/livestreams`, { method: 'POST', token: this.token, body });
  }

  update(id: string, body: UpdateLivestreamRequest): Promise<Livestream> {
    return request<Livestream>(livestreamApiPath(id), { method: 'PATCH', token: this.token, body });
  }

  remove(id: string): Promise<void> {
    return request<void>(livestreamApiPath(id), { method: 'DELETE', token: this.token });
  }

  rotateKey(id: string): Promise<Livestream> {
    return request<Livestream>(`${livestreamApiPath(id)}/rotate-key`, { method: 'POST', token: this.token });
  }

  removeRecording(id: string, recordingId: string): Promise<void> {
    return request<void>(`${livestreamApiPath(id)}/recordings/${encodeURIComponent(recordingId)}`, { method: 'DELETE', token: this.token });
  }
}

/** The owner's webhooks (every call carries the API token). */
export class WebhooksApi {
  constructor(private readonly token: string) {}

  list(): Promise<WebhookList> {
    return request<WebhookList>(`${PATHS.api}/webhooks`, { token: this.token });
  }

  create(body: { url: string; events: WebhookEventType[] }): Promise<CreatedWebhook> {
    return request<CreatedWebhook>(`${PATHS.api}/webhooks`, { method: 'POST', token: this.token, body });
  }

  update(id: string, body: { url: string; events: WebhookEventType[] }): Promise<Webhook> {
    return request<Webhook>(`${PATHS.api}/webhooks/${encodeURIComponent(id)}`, { method: 'PATCH', token: this.token, body });
  }

  remove(id: string): Promise<void> {
    return request<void>(`${PATHS.api}/webhooks/${encodeURIComponent(id)}`, { method: 'DELETE', token: this.token });
  }

  /** The newest deliveries of a webhook. */
  deliveries(id: string): Promise<WebhookDeliveryList> {
    return request<WebhookDeliveryList>(`${PATHS.api}/webhooks/${encodeURIComponent(id)}/deliveries`, { token: this.token });
  }
}

/** A livestream's restream targets (every call carries the API token). */
export class RestreamsApi {
  constructor(private readonly token: string) {}

  private path(livestreamId: string, restreamId?: string): string {
    return `${livestreamApiPath(livestreamId)}/restreams${restreamId === undefined ? '' : `/${encodeURIComponent(restreamId)}`}`;
  }

  list(livestreamId: string): Promise<RestreamTargetList> {
    return request<RestreamTargetList>(this.path(livestreamId), { token: this.token });
  }

  create(livestreamId: string, body: CreateRestreamRequest): Promise<RestreamTarget> {
    return request<RestreamTarget>(this.path(livestreamId), { method: 'POST', token: this.token, body });
  }

  update(livestreamId: string, restreamId: string, body: UpdateRestreamRequest): Promise<RestreamTarget> {
    return request<RestreamTarget>(this.path(livestreamId, restreamId), { method: 'PATCH', token: this.token, body });
  }

  remove(livestreamId: string, restreamId: string): Promise<void> {
    return request<void>(this.path(livestreamId, restreamId), { method: 'DELETE', token: this.token });
  }
}
