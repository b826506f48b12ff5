import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicLivestream } from '../../shared/livestream.js';
import type { RecordingList } from '../../shared/recording.js';
import { loadConfig } from '../src/config.js';
import { AdminAuth } from '../src/http/admin-auth.js';
import { recordingRoutes } from '../src/http/routes/recordings.js';
import { startRtmpServer, type RtmpIngestServer } from '../src/ingest/rtmp/rtmp-publish-gate.js';
import { RecordingLibrary } from '../src/recordings/recording-library.js';
import { StreamSession } from '../src/session/stream-session.js';
import { SqliteRecordingRepository } from '../src/store/sqlite/recording-repository.js';
import type { ThumbnailVersionStore } from '../src/thumbnails/thumbnail-version.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { startHttpServer, type TestHttpServer } from './fixtures/http-server.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';

const makeTempDir = tempDirs();
const PUBLIC_URL = 'https://tv.example.org';
const TOKEN = 'thumbnails-test-token-0123456789';
const log = capturedLogger();

// The whole path of a thumbnail: an RTMP publish (1280x720) through Axon's ladder, the picture on the
// origin and in the API, the watch page's link preview, and what stays after the broadcast.
let server: TestHttpServer;
let rtmp: RtmpIngestServer;
let publisher: FfmpegRtmpPublisher | undefined;

beforeAll(async () => {
  const dataDir = makeTempDir('axon-thumbnails-');
  const clientDir = path.join(dataDir, 'client');
  fs.mkdirSync(clientDir);
  fs.writeFileSync(path.join(clientDir, 'watch.html'), '<!doctype html><html><head><title>Axon</title></head><body></body></html>');
  const config = loadConfig({ AXON_DATA_DIR: dataDir, AXON_PUBLIC_URL: PUBLIC_URL, AXON_API_TOKEN: TOKEN });
  let recordings: RecordingLibrary;
  let store: ThumbnailVersionStore;
  server = await startHttpServer({
    config,
    log,
    clientDir,
    createSession: (id, ingest) =>
      new StreamSession(id, ingest, {
        config: { ...config, transcode: { ...config.transcode, ladderHeights: [144], x264Preset: 'ultrafast' } },
        log,
        recordings,
        thumbnailVersions: store,
      }),
    register: async (app, { db, livestreams }) => {
      const recordingStore = new SqliteRecordingRepository(db);
      store = { livestreams, recordings: recordingStore };
      recordings = new RecordingLibrary({ store: recordingStore, mediaDir: config.mediaDir, log });
      await app.register(recordingRoutes, { recordings, livestreams, auth: new AdminAuth(TOKEN), publicUrl: PUBLIC_URL });
    },
  });
  rtmp = await startRtmpServer({ host: '127.0.0.1', port: 0, registry: server.registry, keys: server.livestreams, reconnectWindowS: 30, log });
});

afterAll(async () => {
  await publisher?.kill();
  await server.close();
  await rtmp.close();
});

/** A URL the API handed out (from the public URL), asked of the test server. */
const local = (url: string) => fetch(`${server.base}${new URL(url).pathname}${new URL(url).search}`);

async function livestream(id: string): Promise<PublicLivestream> {
  return (await fetch(`${server.base}/api/livestreams/${id}`)).json() as Promise<PublicLivestream>;
}

async function jpegWidth(jpeg: Buffer): Promise<number> {
  const child = promisify(execFile)('ffprobe', ['-v', 'error', '-show_entries', 'stream=width', '-of', 'csv=p=0', '-i', 'pipe:0']);
  child.child.stdin!.end(jpeg);
  return Number((await child).stdout.trim());
}

describe('Thumbnails of an RTMP broadcast (real FFmpeg)', () => {
  it('shows the newest frame while live, keeps the last one after the end, and gives the recording its own', async () => {
    const ls = await server.livestreams.create({ name: 'Night "sky" <live> & more', record: true });
    expect((await livestream(ls.id)).thumbnailUrl).toBeNull();
    expect((await fetch(`${server.base}/live/${ls.id}/thumbnail.jpg`)).status).toBe(404);
    const bare = await (await fetch(`${server.base}/watch/${ls.id}`)).text();
    expect(bare).toContain('og:title');
    expect(bare).not.toContain('og:image');
    expect(await (await fetch(`${server.base}/watch/unknownLivestream`)).text()).not.toContain('og:');

    publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${rtmp.port}/live/${ls.streamKey}`, width: 1280, height: 720 });
    const first = await waitFor('a thumbnail', async () => (await livestream(ls.id)).thumbnailUrl ?? undefined, 60_000);
    expect(first.startsWith(`${PUBLIC_URL}/live/${ls.id}/thumbnail.jpg?v=`)).toBe(true);
    const res = await local(first);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('public, max-age=5');
    const picture = Buffer.from(await res.arrayBuffer());
    expect([...picture.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    // The top rung is the 1280x720 source: the thumbnail is scaled to 640 wide.
    expect(await jpegWidth(picture)).toBe(640);
    const again = await local(first).then((r) => r.headers.get('etag'));
    expect((await fetch(`${server.base}/live/${ls.id}/thumbnail.jpg`, { headers: { 'if-none-match': again! } })).status).toBe(304);

    // About 10 s later, a newer frame under a new URL.
    const second = await waitFor('a newer thumbnail', async () => {
      const url = (await livestream(ls.id)).thumbnailUrl;
      return url !== first ? url : undefined;
    });
    expect(Buffer.from(await (await local(second!)).arrayBuffer()).equals(picture)).toBe(false);

    // The link preview of the watch page carries the picture and the escaped name.
    const page = await (await fetch(`${server.base}/watch/${ls.id}`)).text();
    expect(page).toContain('<meta property="og:title" content="Night &quot;sky&quot; &lt;live&gt; &amp; more">');
    expect(page).toContain(`<meta property="og:image" content="${(await livestream(ls.id)).thumbnailUrl}">`);
    expect(page).toContain('<meta name="twitter:card" content="summary_large_image">');

    await server.registry.end(ls.id, 'test over');
    const ended = await livestream(ls.id);
    expect(ended.status).toBe('offline');
    expect(ended.thumbnailUrl).not.toBeNull();
    expect((await local(ended.thumbnailUrl!)).status).toBe(200);

    const { items } = (await (await fetch(`${server.base}/api/livestreams/${ls.id}/recordings`)).json()) as RecordingList;
    expect(items).toHaveLength(1);
    const recorded = items[0]!.thumbnailUrl;
    expect(recorded?.startsWith(`${PUBLIC_URL}/live/${ls.id}/${items[0]!.id}/thumbnail.jpg?v=`)).toBe(true);
    const recordedPicture = Buffer.from(await (await local(recorded!)).arrayBuffer());
    expect(await jpegWidth(recordedPicture)).toBe(640);
  }, 120_000);
});
