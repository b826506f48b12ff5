import { expect, test } from '@playwright/test';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import { createLivestream, livestreamStatus, rungHeights } from './fixtures/api.js';
import { expectPlayback } from './fixtures/playback.js';

test('an RTMP publish from FFmpeg standing in for OBS plays as a 720/480/360/144 ladder', async ({ page, request }) => {
  const ls = await createLivestream(request, 'RTMP from OBS');
  // What OBS is told: Server = rtmpUrl, Stream Key = streamKey.
  const publisher = new FfmpegRtmpPublisher({ url: `${ls.rtmpUrl}/${ls.streamKey}`, width: 1280, height: 720 });
  try {
    await page.goto(`/watch/${ls.id}`);
    await expectPlayback(page, 'hls');
    expect(await livestreamStatus(request, ls.id)).toBe('live');
    const master = await (await request.get(`/live/${ls.id}/master.m3u8`)).text();
    expect(rungHeights(master)).toEqual([720, 480, 360, 144]);
  } finally {
    await publisher.kill();
  }
  // The publisher is gone for good: after the (shortened) reconnect window the broadcast ends.
  await expect.poll(() => livestreamStatus(request, ls.id), { timeout: 30_000 }).toBe('offline');
  await expect(page.getByTestId('player-state')).toHaveText('Stream ended', { timeout: 20_000 });
});
