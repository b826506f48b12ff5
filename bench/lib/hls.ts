import { sleep } from './benchmark.js';

/** The media playlist URIs a multivariant (master) playlist lists, in order. */
export function variantUris(master: string): string[] {
  const lines = master.split('\n').map((l) => l.trim());
  return lines.flatMap((l, i) => (l.startsWith('#EXT-X-STREAM-INF') && lines[i + 1] ? [lines[i + 1]!] : []));
}

/** Whether a live stream is playable now: its master answers and a variant's media playlist lists a segment. */
async function playable(masterUrl: string): Promise<boolean> {
  const master = await fetch(masterUrl);
  if (master.status !== 200) return false;
  const first = variantUris(await master.text())[0];
  if (first === undefined) return false;
  const media = await fetch(new URL(first, masterUrl));
  return media.status === 200 && (await media.text()).includes('#EXTINF');
}

/**
 * Polls a master playlist every `pollMs` until the stream is playable; resolves with the wall-clock
 * time (Date.now()) at which the answer saying so arrived.
 */
export async function waitUntilPlayable(masterUrl: string, timeoutMs: number, pollMs = 50): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const polledAt = Date.now();
    try {
      if (await playable(masterUrl)) return Date.now();
    } catch {
      // the server is busy starting the broadcast; poll again
    }
    await sleep(Math.max(0, polledAt + pollMs - Date.now()));
  }
  throw new Error(`${masterUrl} was not playable within ${timeoutMs / 1000} s`);
}
