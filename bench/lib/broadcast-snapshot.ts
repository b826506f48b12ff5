import fs from 'node:fs';
import path from 'node:path';
import { AUDIO_PLAYLIST } from '../../server/src/media/media-layout.js';
import type { AxonServer } from './axon-server.js';
import { sleep } from './benchmark.js';
import { listedMedia, variantUris, waitUntilPlayable } from './hls.js';
import { publishRtmp } from './rtmp-publisher.js';

/** The livestream id the frozen copy of the broadcast is served under. */
const SNAPSHOT_ID = 'bench-origin-snapshot';
const SNAPSHOT_TIMEOUT_MS = 60_000;

/** Every file a playlist names: segment lines and EXT-X-MAP URIs, relative to the playlist. */
function namedFiles(playlist: string): string[] {
  return playlist.split('\n').flatMap((line) => {
    const l = line.trim();
    const map = /^#EXT-X-MAP:URI="([^"]+)"/.exec(l);
    if (map) return [map[1]!];
    return l && !l.startsWith('#') ? [l] : [];
  });
}

/**
 * A real broadcast frozen as viewers would find it: Axon's playlists at one moment and every file they
 * name, copied under SNAPSHOT_ID in the server's media directory, where no broadcast will touch them.
 * Returns the paths a viewer of each rung requests: its playlist, the audio playlist, and the newest
 * segment of each.
 */
export async function snapshotBroadcast(server: AxonServer, input: string, segments: number): Promise<string[][]> {
  const livestream = await server.createLivestream('bench snapshot');
  const publisher = publishRtmp(input, [`${livestream.rtmpUrl}/${livestream.streamKey}`]);
  try {
    const base = `${server.baseUrl}/live/${livestream.id}/`;
    await waitUntilPlayable(`${base}master.m3u8`, SNAPSHOT_TIMEOUT_MS);
    const master = await (await fetch(`${base}master.m3u8`)).text();
    const playlists = [...variantUris(master), AUDIO_PLAYLIST];
    const deadline = Date.now() + SNAPSHOT_TIMEOUT_MS;
    while (listedMedia(await (await fetch(`${base}${playlists[0]}`)).text()).segments < segments) {
      if (Date.now() > deadline) throw new Error(`the broadcast did not reach ${segments} segments:\n${server.logTail()}`);
      await sleep(200);
    }
    const source = path.join(server.dataDir, 'media', livestream.id);
    const target = path.join(server.dataDir, 'media', SNAPSHOT_ID);
    fs.mkdirSync(target, { recursive: true });
    fs.writeFileSync(path.join(target, 'master.m3u8'), master);
    const newest = new Map<string, string>();
    for (const name of playlists) {
      // The playlist first, then the files it names: all of them are complete by then.
      const text = await (await fetch(`${base}${name}`)).text();
      fs.writeFileSync(path.join(target, name), text);
      const files = namedFiles(text);
      for (const file of files) {
        fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
        fs.copyFileSync(path.join(source, file), path.join(target, file));
      }
      newest.set(name, files.at(-1)!);
    }
    const live = (file: string) => `/live/${SNAPSHOT_ID}/${file}`;
    return variantUris(master).map((v) => [live(v), live(AUDIO_PLAYLIST), live(newest.get(v)!), live(newest.get(AUDIO_PLAYLIST)!)]);
  } finally {
    await publisher.stop();
  }
}

/** Waits until the server runs no FFmpeg (the snapshot broadcast has ended), so it is idle but for the viewers. */
export async function waitForIdle(server: AxonServer): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    if (/^axon_ffmpeg_processes 0$/m.test(metrics) && /^axon_live_sessions 0$/m.test(metrics)) return;
    await sleep(200);
  }
  throw new Error('the snapshot broadcast did not end');
}
