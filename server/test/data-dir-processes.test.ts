import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import type { Livestream } from '../../shared/livestream.js';
import type { RecordingList } from '../../shared/recording.js';
import { type AxonProcess, startAxon as startAxonProcess } from './fixtures/axon-process.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { waitFor } from './fixtures/wait-for.js';

const TOKEN = 'crash-test-token-0123456789';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startAxon(dataDir: string, env: Record<string, string> = {}): Promise<AxonProcess> {
  const axon = await startAxonProcess(dataDir, TOKEN, env);
  cleanups.push(axon.kill);
  return axon;
}

const segmentsIn = (playlist: string) => playlist.split('\n').filter((l) => l.endsWith('.m4s') && !l.startsWith('#'));

it('a server killed mid-broadcast leaves a replayable recording after its restart', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-crash-'));
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const first = await startAxon(dataDir);
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const created = await fetch(`${first.base}/api/livestreams`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Crash' }) });
  const ls = (await created.json()) as Livestream;
  expect(ls.record).toBe(true);

  const publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${first.rtmpPort}/live/${ls.streamKey}`, width: 320, height: 180 });
  cleanups.push(() => publisher.kill());
  await waitFor('three live segments', async () => {
    const playlist = await fetch(`${first.base}/live/${ls.id}/144p.m3u8`).then((r) => (r.ok ? r.text() : ''));
    return segmentsIn(playlist).length >= 3;
  });

  first.child.kill('SIGKILL');
  await first.exited;
  await publisher.kill();

  const second = await startAxon(dataDir);
  const { items } = (await (await fetch(`${second.base}/api/livestreams/${ls.id}/recordings`)).json()) as RecordingList;
  expect(items, second.output()).toHaveLength(1);
  const rec = items[0]!;
  expect(rec.status).toBe('interrupted');
  expect(rec.duration).toBeGreaterThanOrEqual(6);
  expect(rec.hlsUrl).toBe(`${second.base}/live/${ls.id}/${rec.id}/master.m3u8`);
  // Nothing is live after a restart: the live URL answers 404 rather than a playlist that never ends.
  expect((await fetch(`${second.base}/live/${ls.id}/master.m3u8`)).status).toBe(404);

  const { stdout } = await promisify(execFile)('ffprobe', [
    '-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', rec.hlsUrl,
  ]);
  expect(Number(stdout.trim().split('\n')[0])).toBeGreaterThanOrEqual(Math.floor(rec.duration - 1) * 30);

  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
});

it("a second process on the same data directory leaves the first one's broadcast alone and refuses a second publisher for it", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-shared-'));
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  // No reconnect window: the broadcast ends, and its recording is made, as soon as its publisher goes.
  const first = await startAxon(dataDir, { AXON_RECONNECT_WINDOW_S: '0' });
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const created = await fetch(`${first.base}/api/livestreams`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Shared' }) });
  const ls = (await created.json()) as Livestream;
  const publisher = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${first.rtmpPort}/live/${ls.streamKey}`, width: 320, height: 180 });
  cleanups.push(() => publisher.kill());
  await waitFor('three live segments', async () => {
    const playlist = await fetch(`${first.base}/live/${ls.id}/144p.m3u8`).then((r) => (r.ok ? r.text() : ''));
    return segmentsIn(playlist).length >= 3;
  });

  // Its start-up tidying must not take the live broadcast for one cut by a crash.
  const second = await startAxon(dataDir);
  expect(fs.existsSync(path.join(dataDir, 'media', ls.id, 'master.m3u8')), second.output()).toBe(true);
  expect((await fetch(`${first.base}/live/${ls.id}/master.m3u8`)).status).toBe(200);
  // Viewers sent to the second process see the broadcast live too (they read the same files).
  expect(((await (await fetch(`${second.base}/api/livestreams/${ls.id}`)).json()) as { status: string }).status).toBe('live');
  const whep = await fetch(`${second.base}/whep/${ls.id}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\n' });
  expect(whep.status).toBe(409);
  expect(((await whep.json()) as { error: string }).error).toMatch(/another Axon process/);
  const listed = (await (await fetch(`${second.base}/api/livestreams/${ls.id}/recordings`)).json()) as RecordingList;
  expect(listed.items, 'the recording still in progress is not finished by the second process').toEqual([]);

  // One publisher per livestream holds across the processes.
  const intruder = new FfmpegRtmpPublisher({ url: `rtmp://127.0.0.1:${second.rtmpPort}/live/${ls.streamKey}`, width: 320, height: 180 });
  cleanups.push(() => intruder.kill());
  expect(await intruder.exited).not.toBe(0);
  expect(second.output()).toContain('already has a publisher');

  // The first process's broadcast went on and ends as its own, complete recording.
  await publisher.kill();
  const { items } = await waitFor('the recording', async () => {
    const list = (await (await fetch(`${first.base}/api/livestreams/${ls.id}/recordings`)).json()) as RecordingList;
    return list.items.length > 0 ? list : undefined;
  });
  expect(items).toHaveLength(1);
  expect(items[0]!.status).toBe('complete');
});
