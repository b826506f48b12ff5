import { h } from '../dom.js';
import type { StreamFormat } from './engine-choice.js';

const choices: ReadonlyArray<readonly [value: string, label: string]> = [
  ['', 'HLS'],
  ['dash', 'DASH'],
  ['webrtc', 'Real-time'],
];

/**
 * The watch page's choice of delivery: HLS (the default), DASH, or real-time WebRTC (WHEP, sub-second
 * behind the publisher). A choice reloads the page with `?format=`, the address one can share.
 */
export function formatPicker(current: StreamFormat | null): HTMLSelectElement {
  const select = h(
    'select',
    { className: 'format-picker', attrs: { 'data-testid': 'format', 'aria-label': 'Playback' } },
    ...choices.map(([value, label]) => h('option', { value, textContent: label })),
  );
  select.value = current === 'dash' || current === 'webrtc' ? current : '';
  select.addEventListener('change', () => {
    const url = new URL(location.href);
    if (select.value) url.searchParams.set('format', select.value);
    else url.searchParams.delete('format');
    location.assign(url.href);
  });
  return select;
}
