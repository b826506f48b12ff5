import http from 'node:http';
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

/**
 * Remembers what the last few playlists list: every viewer of a rendition receives the same playlist
 * bodies, and reading each once leaves the load generator's CPU to making requests.
 */
function lastFew<T>(read: (playlist: string) => T): (playlist: string) => T {
  const known = new Map<string, T>();
  return (playlist) => {
    let found = known.get(playlist);
    if (found === undefined) {
      found = read(playlist);
      known.set(playlist, found);
      if (known.size > 8) known.delete(known.keys().next().value!);
    }
    return found;
  };
}

/** Byte-range parts a playlist lists, as "uri bytes=a-b". */
const listedParts = lastFew((playlist) =>
  playlist.split('\n').flatMap((line) => {
    const m = PART.exec(line);
    return m ? [`${m[1]} bytes=${m[3]}-${Number(m[3]) + Number(m[2]) - 1}`] : [];
  }),
);

/** Media segments a playlist lists (the URI lines). */
const listedSegments = lastFew((playlist) => playlist.split('\n').filter((l) => l !== '' && !l.startsWith('#')));

const playlistEnd = lastFew(liveEnd);

/** What a player fetches of what a playlist lists: the newest at first (it starts at the live edge), then whatever is new. */
function unseen(listed: string[], seen: Set<string>, first: boolean): string[] {
  const fresh = first ? listed.slice(-1) : listed.filter((item) => !seen.has(item));
  for (const item of listed) seen.add(item);
  return fresh;
}

/**
 * One keep-alive pool for every simulated viewer (a socket per request in flight, reused after): node:http
 * costs the load generator a fraction of what fetch's streams do per request, so 200 viewers keep up
 * with the stream on the machine the server runs on.
 */
const POOL = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** A GET whose answer counts; the body is kept only when `text` (a playlist), media is read and dropped. */
function get(url: string, count: CountRequest, o: { range?: string; text: boolean }): Promise<string | undefined> {
  return new Promise((resolve) => {
    const failed = () => {
      count('failed');
      resolve(undefined);
    };
    const request = http.get(url, { agent: POOL, headers: o.range ? { Range: o.range } : {} }, (res) => {
      const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        if (o.text) chunks.push(chunk);
      });
      res.on('end', () => {
        if (!ok) return failed();
        count('ok');
        resolve(o.text ? Buffer.concat(chunks).toString('utf8') : '');
      });
      res.on('error', failed);
    });
    request.on('error', failed);
  });
}

const getPlaylist = (url: string, count: CountRequest) => get(url, count, { text: true });

/**
 * One LL-HLS player following one media playlist, the way hls.js does: a blocking reload for the part
 * after the newest one, then that part's byte range, over and over.
 */
export async function followLowLatency(playlistUrl: string, until: () => boolean, count: CountRequest): Promise<void> {
  const fetched = new Set<string>();
  let playlist = await getPlaylist(playlistUrl, count);
  let first = true;
  while (!until()) {
    if (playlist === undefined) {
      await sleep(500);
      playlist = await getPlaylist(playlistUrl, count);
      continue;
    }
    for (const part of unseen(listedParts(playlist), fetched, first)) {
      const [uri, range] = part.split(' ') as [string, string];
      await get(new URL(uri, playlistUrl).href, count, { range, text: false });
    }
    first = false;
    const end = playlistEnd(playlist);
    playlist = await getPlaylist(`${playlistUrl}?_HLS_msn=${end.msn}&_HLS_part=${end.parts}`, count);
  }
}

/** One standard HLS player following one media playlist: a reload every target duration, each new segment once. */
export async function followStandard(playlistUrl: string, targetS: number, until: () => boolean, count: CountRequest): Promise<void> {
  const fetched = new Set<string>();
  let first = true;
  while (!until()) {
    const reloadAt = Date.now() + targetS * 1000;
    const playlist = await getPlaylist(playlistUrl, count);
    for (const uri of unseen(playlist ? listedSegments(playlist) : [], fetched, first)) {
      await get(new URL(uri, playlistUrl).href, count, { text: false });
    }
    if (playlist) first = false;
    await sleep(Math.max(0, reloadAt - Date.now()));
  }
}
