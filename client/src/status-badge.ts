import type { LivestreamStatus } from '../../shared/livestream.js';
import { h } from './dom.js';

/** The offline/starting/live pill shown beside a livestream (watch page, dashboard). */
export function statusBadge(): HTMLSpanElement {
  return h('span', { className: 'badge', attrs: { 'data-testid': 'livestream-status' } });
}

export function updateStatusBadge(badge: HTMLElement, status: LivestreamStatus): void {
  badge.textContent = status;
  badge.classList.toggle('badge-live', status === 'live');
  badge.classList.toggle('badge-starting', status === 'starting');
}
