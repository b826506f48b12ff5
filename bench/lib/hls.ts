import { httpRequest } from './axon-server.js';
import { sleep } from './benchmark.js';

/** The media playlist URIs a multivariant (master) playlist lists, in order. */
export function variantUris(master: string): string[] {
  const lines = master.split('\n').map((l) => l.trim());
  return lines.flatMap((l, i) => (l.startsWith('#EXT-X-STREAM-INF') && lines[i + 1] ? [lines[i + 1]!] : []));
}

/** What an LL-HLS media playlist lists a part with. */
export const PART_MARKER = '#EXT-X-PART:';
/**
 * An LL-HLS player asks for a part already out (0 always is: a broadcast's numbers start far above it)
 * and gets the first parts at once: Axon holds a request without directives until the first whole
 * segment (players without LL-HLS refuse a playlist of parts alone).
 */
const FIRST_PART_QUERY = '?_HLS_msn=0&_HLS_part=0';

/** Whether a live stream is playable now: its master answers and a variant's media playlist lists a segment (or `marker`). */
async function playable(masterUrl: string, ca: string | undefined, marker: string): Promise<boolean> {
  const master = await httpRequest(masterUrl, { ca });
  if (master.status !== 200) return false;
  const first = variantUris(master.body)[0];
  if (first === undefined) return false;
  const media = await httpRequest(new URL(first + (marker === PART_MARKER ? FIRST_PART_QUERY : ''), masterUrl).href, { ca });
  return media.status === 200 && media.body.includes(marker);
}

/**
 * Polls a master playlist every `pollMs` until the stream is playable; resolves with the wall-clock
 * time (Date.now()) at which the answer saying so arrived. `ca`: the certificate to trust over HTTPS;
 * `marker`: what the variant must list (a segment's `#EXTINF`, or an LL-HLS part's `#EXT-X-PART:`).
 */
export async function waitUntilPlayable(
  masterUrl: string,
  timeoutMs: number,
  { ca, pollMs = 50, marker = '#EXTINF' }: { ca?: string; pollMs?: number; marker?: string } = {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const polledAt = Date.now();
    try {
      if (await playable(masterUrl, ca, marker)) return Date.now();
    } catch {
      // the server is busy starting the broadcast; poll again
    }
    await sleep(Math.max(0, polledAt + pollMs - Date.now()));
  }
  throw new Error(`${masterUrl} was not playable within ${timeoutMs / 1000} s`);
}

/** What a live media playlist lists. */
export interface ListedMedia {
  mediaSequence: number;
  segments: number;
  /** Sum of the listed segments' EXTINF durations. */
  durationS: number;
  discontinuities: number;
}

export function listedMedia(playlist: string): ListedMedia {
  let mediaSequence = 0;
  let segments = 0;
  let durationS = 0;
  let discontinuities = 0;
  for (const line of playlist.split('\n').map((l) => l.trim())) {
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) mediaSequence = Number(line.slice('#EXT-X-MEDIA-SEQUENCE:'.length));
    else if (line.startsWith('#EXTINF:')) {
      segments++;
      durationS += Number.parseFloat(line.slice('#EXTINF:'.length));
    } else if (line === '#EXT-X-DISCONTINUITY') discontinuities++;
  }
  return { mediaSequence, segments, durationS, discontinuities };
}
