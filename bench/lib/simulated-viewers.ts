import { sleep } from './benchmark.js';

/** Told of every request a simulated viewer made: answered (2xx), or failed (another status, or the network). */
export type CountRequest = (outcome: 'ok' | 'failed') => void;

const PART = /^#EXT-X-PART:.*URI="([^"]+)",BYTERANGE="(\d+)@(\d+)"/;

/** Where an LL-HLS playlist ends: the segment being written (its media sequence number) and its parts so far. */
export function liveEnd(playlist: string): { msn: number; parts: number } {
  let msn = 0;
  let parts = 0;
  for (const line of playlist.split('\n')) {
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) msn = Number(line.slice('#EXT-X-MEDIA-SEQUENCE:'.length));
    else if (line.startsWith('#EXTINF:')) {
      msn += 1;
      parts = 0;
    } else if (line.startsWith('#EXT-X-PART:')) parts += 1;
  }
  return { msn, parts };
}

/** Byte-range parts a playlist lists, as "uri bytes=a-b". */
function listedParts(playlist: string): string[] {
  return playlist.split('\n').flatMap((line) => {
    const m = PART.exec(line);
    return m ? [`${m[1]} bytes=${m[3]}-${Number(m[3]) + Number(m[2]) - 1}`] : [];
  });
}

/** Media segments a playlist lists (the URI lines). */
const listedSegments = (playlist: string) => playlist.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

/** What a player fetches of what a playlist lists: the newest at first (it starts at the live edge), then whatever is new. */
function unseen(listed: string[], seen: Set<string>, first: boolean): string[] {
  const fresh = first ? listed.slice(-1) : listed.filter((item) => !seen.has(item));
  for (const item of listed) seen.add(item);
  return fresh;
}

async function get(url: string, count: CountRequest, range?: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, range ? { headers: { Range: range } } : {});
    const body = await res.text();
    if (res.ok) {
      count('ok');
      return body;
    }
  } catch {
    // counted below
  }
  count('failed');
  return undefined;
}

/**
 * One LL-HLS player following one media playlist, the way hls.js does: a blocking reload for the part
 * after the newest one, then that part's byte range, over and over.
 */
export async function followLowLatency(playlistUrl: string, until: () => boolean, count: CountRequest): Promise<void> {
  const fetched = new Set<string>();
  let playlist = await get(playlistUrl, count);
  let first = true;
  while (!until()) {
    if (playlist === undefined) {
      await sleep(500);
      playlist = await get(playlistUrl, count);
      continue;
    }
    for (const part of unseen(listedParts(playlist), fetched, first)) {
      const [uri, range] = part.split(' ') as [string, string];
      await get(new URL(uri, playlistUrl).href, count, range);
    }
    first = false;
    const end = liveEnd(playlist);
    playlist = await get(`${playlistUrl}?_HLS_msn=${end.msn}&_HLS_part=${end.parts}`, count);
  }
}

/** One standard HLS player following one media playlist: a reload every target duration, each new segment once. */
export async function followStandard(playlistUrl: string, targetS: number, until: () => boolean, count: CountRequest): Promise<void> {
  const fetched = new Set<string>();
  let first = true;
  while (!until()) {
    const reloadAt = Date.now() + targetS * 1000;
    const playlist = await get(playlistUrl, count);
    for (const uri of unseen(playlist ? listedSegments(playlist) : [], fetched, first)) {
      await get(new URL(uri, playlistUrl).href, count);
    }
    if (playlist) first = false;
    await sleep(Math.max(0, reloadAt - Date.now()));
  }
}
