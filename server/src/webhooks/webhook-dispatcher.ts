import type { Logger } from '../log.js';
import { outcomeOf, RETRY_DELAYS_MS } from './retry-schedule.js';
import type { DeliveryRecord, WebhookRepository } from './webhook-repository.js';
import { sendWebhook } from './webhook-sender.js';

export interface WebhookDispatcherOptions {
  repository: WebhookRepository;
  log: Logger;
  /** Waits before each retry; the production schedule unless a test gives a short one. */
  retryDelaysMs?: readonly number[];
  /** How long a receiver may take to answer. */
  timeoutMs?: number;
  /** Requests in flight at once, across every webhook. */
  concurrency?: number;
}

/** Even with nothing due, the queue is looked at this often (deliveries another process queued, clock changes). */
const MAX_IDLE_MS = 60_000;
/** A claimed delivery whose process died is due again this long after its request's deadline. */
const LEASE_MARGIN_MS = 20_000;

/**
 * Sends due deliveries from the persisted queue: a few requests at once, each with a deadline, each outcome
 * written back (delivered, next attempt, or failed). It sleeps until the next delivery is due; `wake()`
 * runs it at once when an event is queued. Pending deliveries left by a stop or a crash are sent after the
 * next start.
 */
export class WebhookDispatcher {
  private readonly repository: WebhookRepository;
  private readonly log: Logger;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private pass: Promise<void> | null = null;
  private passAgain = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(o: WebhookDispatcherOptions) {
    this.repository = o.repository;
    this.log = o.log;
    this.retryDelaysMs = o.retryDelaysMs ?? RETRY_DELAYS_MS;
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.concurrency = o.concurrency ?? 4;
  }

  /** Looks for due deliveries now. Cheap to call often: calls during a pass make one more pass. */
  wake(): void {
    if (this.stopping.signal.aborted) return;
    if (this.pass) {
      this.passAgain = true;
      return;
    }
    this.pass = this.runPass().finally(() => {
      this.pass = null;
      if (this.passAgain) {
        this.passAgain = false;
        this.wake();
      }
    });
  }

  /** Cuts requests in flight short (their deliveries stay pending, due at once) and stops. */
  async close(): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.timer);
    await this.pass;
    await Promise.allSettled([...this.inFlight]);
  }

  private async runPass(): Promise<void> {
    clearTimeout(this.timer);
    let sleepMs = MAX_IDLE_MS;
    try {
      const room = this.concurrency - this.inFlight.size;
      // Full: a delivery that finishes wakes the dispatcher.
      if (room <= 0) return;
      const now = Date.now();
      const due = await this.repository.claimDue(new Date(now), new Date(now + this.timeoutMs + LEASE_MARGIN_MS), room);
      for (const delivery of due) this.track(this.deliver(delivery));
      const next = await this.repository.nextDueAt();
      if (next) sleepMs = Math.max(0, next.getTime() - Date.now());
    } catch (err) {
      this.log.error('the webhook queue could not be read; trying again in a minute', { err });
    }
    if (!this.stopping.signal.aborted) this.timer = setTimeout(() => this.wake(), Math.min(sleepMs, MAX_IDLE_MS));
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => {
      this.inFlight.delete(delivery);
      this.wake();
    });
  }

  private async deliver(delivery: DeliveryRecord): Promise<void> {
    const fields = { delivery: delivery.id, webhook: delivery.webhookId, event: delivery.eventType };
    try {
      // Deleted meanwhile: its deliveries went with it.
      const webhook = await this.repository.get(delivery.webhookId);
      if (!webhook) return;
      const result = await sendWebhook(
        { url: webhook.url, secret: webhook.secret, id: delivery.id, payload: delivery.payload },
        { timeoutMs: this.timeoutMs, signal: this.stopping.signal },
      );
      if (this.stopping.signal.aborted && !result.delivered) {
        await this.repository.release(delivery.id, new Date());
        return;
      }
      const outcome = outcomeOf(result, delivery.attempts + 1, new Date(), this.retryDelaysMs);
      await this.repository.recordAttempt(delivery.id, outcome);
      if (outcome.state === 'failed') this.log.warn('a webhook delivery failed for good: every retry was used', { ...fields, error: result.error });
      else if (outcome.state === 'pending') {
        this.log.info('a webhook delivery will be retried', { ...fields, attempts: outcome.attempts, error: result.error });
      }
    } catch (err) {
      this.log.error('a webhook delivery could not be recorded; it is retried when its claim runs out', { ...fields, err });
    }
  }
}
