import type { PublicLivestream } from '../../../shared/livestream.js';
import { escapeHtml } from './html-escape.js';

/** What a shared link to a livestream's page shows in a chat app or on a social site. */
export type LinkPreview = Pick<PublicLivestream, 'name' | 'playerUrl' | 'thumbnailUrl'>;

/**
 * Open Graph and Twitter card tags for a livestream. The watch page is the canonical address, for the
 * embed too; a livestream without a picture yet gets the small card instead of the large-image one.
 */
export function linkPreviewTags(ls: LinkPreview): string[] {
  const meta = (attr: 'property' | 'name', key: string, value: string) => `<meta ${attr}="${key}" content="${escapeHtml(value)}">`;
  const image = ls.thumbnailUrl;
  return [
    meta('property', 'og:site_name', 'Axon'),
    meta('property', 'og:title', ls.name),
    meta('property', 'og:type', 'video.other'),
    meta('property', 'og:url', ls.playerUrl),
    ...(image ? [meta('property', 'og:image', image), meta('name', 'twitter:image', image)] : []),
    meta('name', 'twitter:card', image ? 'summary_large_image' : 'summary'),
    meta('name', 'twitter:title', ls.name),
  ];
}

/** The page with the livestream's tags at the end of its <head>; a page without one is left as it is. */
export function withLinkPreview(html: string, ls: LinkPreview): string {
  const end = html.search(/<\/head>/i);
  if (end === -1) return html;
  return `${html.slice(0, end)}${linkPreviewTags(ls).join('\n')}\n${html.slice(end)}`;
}
