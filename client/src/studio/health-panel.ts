import { h } from '../dom.js';
import { computePublishHealth, healthRows, type PublishHealth, type SenderStats, type StatsSample } from '../publish/publish-stats.js';
import type { Publisher } from '../publish/publisher.js';

const REFRESH_MS = 1000;

const idle: PublishHealth = {
  width: null,
  height: null,
  frameRate: null,
  bitrateBps: null,
  rttMs: null,
  packetLossPct: null,
  limitation: null,
  level: 'good',
};

/** The studio's publish health, read from the publisher's sender statistics every second. */
export class HealthPanel {
  readonly element = h('section', { className: 'health', attrs: { 'data-testid': 'publish-health', 'aria-label': 'Publish health' } });
  private readonly level = h('span', { className: 'health-level' });
  private readonly rows = h('dl', { className: 'health-rows' });
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    this.element.append(h('h2', { className: 'panel-title' }, 'Stream health ', this.level), this.rows);
    this.render(idle, false);
  }

  /** Follows a publisher until it ends. */
  follow(publisher: Publisher): void {
    this.stop();
    let sample: StatsSample | null = null;
    const refresh = async () => {
      if (publisher.state === 'ended') {
        this.stop();
        this.render(idle, false);
        return;
      }
      const stats = await publisher.getStats().catch(() => null);
      // Nothing to show until a track is being sent.
      if (!stats || stats.length === 0) return;
      const result = computePublishHealth(stats as unknown as SenderStats[], sample);
      sample = result.sample;
      this.render(result.health, true);
    };
    this.timer = setInterval(() => void refresh(), REFRESH_MS);
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private render(health: PublishHealth, active: boolean): void {
    this.level.textContent = active ? health.level : 'not live';
    this.level.dataset.level = active ? health.level : 'idle';
    this.rows.replaceChildren(
      ...healthRows(health).flatMap(([label, value]) => [h('dt', { textContent: label }), h('dd', { textContent: value })]),
    );
  }
}
