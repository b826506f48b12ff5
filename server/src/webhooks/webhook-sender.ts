import { Webhook } from 'standardwebhooks';

/** The outcome of one request: delivered on a 2xx answer; anything else is worth a retry. */
export interface SendResult {
  delivered: boolean;
  /** The receiver's HTTP status; null when it did not answer. */
  status: number | null;
  /** Why it was not delivered, in words for the delivery log (never the URL, which may carry a token). */
  error: string | null;
}

export interface WebhookMessage {
  url: string;
  secret: string;
  /** Sent as `webhook-id`. */
  id: string;
  /** The JSON body, signed as is. */
  payload: string;
}

/**
 * One signed POST (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`). Signed at
 * send time, so that a retry hours later is not refused as too old by the receiver's tolerance check.
 * Redirects are not followed: a webhook's URL is where its receiver is.
 */
export async function sendWebhook(message: WebhookMessage, o: { timeoutMs: number; signal: AbortSignal }): Promise<SendResult> {
  const at = new Date();
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Axon-Webhooks',
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(message.secret).sign(message.id, at, message.payload),
  };
  try {
    const res = await fetch(message.url, {
      method: 'POST',
      headers,
      body: message.payload,
      redirect: 'manual',
      signal: AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]),
    });
    // The answer's body is not read: only its status counts, and the connection goes back to the pool.
    await res.body?.cancel();
    const delivered = res.status >= 200 && res.status < 300;
    return { delivered, status: res.status, error: delivered ? null : `the receiver answered HTTP ${res.status}` };
  } catch (err) {
    return { delivered: false, status: null, error: describeFailure(err, o.timeoutMs) };
  }
}

function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof DOMException && err.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  if (err instanceof DOMException && err.name === 'AbortError') return 'the server stopped before the answer';
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? `the request failed (${code})` : 'the request failed';
}
