/** The player's icons: drawn here as SVG paths on a 24-unit grid, built as DOM nodes (no markup strings). */
const SVG_NS = 'http://www.w3.org/2000/svg';

interface Stroke {
  d: string;
  /** Filled shapes (play, speaker) rather than 2-unit lines. */
  filled?: boolean;
}

const speaker: Stroke = { d: 'M3 9v6h4l5 4V5L7 9z', filled: true };

export type IconName = 'play' | 'pause' | 'sound' | 'muted' | 'fullscreen' | 'exit-fullscreen' | 'pip';

const icons: Record<IconName, readonly Stroke[]> = {
  play: [{ d: 'M8 5v14l11-7z', filled: true }],
  pause: [{ d: 'M6 5h4v14H6zM14 5h4v14h-4z', filled: true }],
  sound: [speaker, { d: 'M16 9a4 4 0 0 1 0 6M18.5 6.5a7.5 7.5 0 0 1 0 11' }],
  muted: [speaker, { d: 'M16 9l6 6M22 9l-6 6' }],
  fullscreen: [{ d: 'M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5' }],
  'exit-fullscreen': [{ d: 'M9 4v5H4M20 9h-5V4M15 20v-5h5M4 15h5v5' }],
  pip: [{ d: 'M3 5h18v14H3z' }, { d: 'M12 12h7v5h-7z', filled: true }],
};

/** An icon for a button whose accessible name comes from its aria-label: hidden from screen readers. */
export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const stroke of icons[name]) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', stroke.d);
    if (stroke.filled) path.setAttribute('fill', 'currentColor');
    else path.setAttribute('class', 'icon-line');
    svg.append(path);
  }
  return svg;
}
