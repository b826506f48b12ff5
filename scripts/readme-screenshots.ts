// Takes the README's screenshots from a real server: the watch page playing an RTMP broadcast, the
// dashboard with that broadcast's live card, and the studio live from the fake camera.
// usage: npm run screenshots   (writes docs/screenshots/*.png)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/fixtures/chromium.js';
import { goLive, studioUrl } from '../e2e/fixtures/studio.js';
import { FfmpegRtmpPublisher } from '../server/test/fixtures/ffmpeg-rtmp-publisher.js';
import type { Livestream } from '../shared/livestream.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'docs', 'screenshots');
const PORT = 8095;
const RTMP_PORT = 19355;
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = 'axon-screenshots-token-0123456789';
const VIEWPORT = { width: 1280, height: 800 };

async function waitForServer(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${BASE}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the server did not start within 60 s');
}

async function createLivestream(name: string): Promise<Livestream> {
  const response = await fetch(`${BASE}/api/livestreams`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, record: false }),
  });
  if (response.status !== 201) throw new Error(`creating a livestream: ${response.status} ${await response.text()}`);
  return (await response.json()) as Livestream;
}

async function shoot(page: Page, name: string): Promise<void> {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`wrote ${path.relative(ROOT, file)}`);
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-screenshots-'));
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      AXON_PUBLIC_URL: BASE,
      AXON_DATA_DIR: dataDir,
      AXON_API_TOKEN: TOKEN,
      RTMP_PORT: String(RTMP_PORT),
      AXON_LOG_LEVEL: 'warn',
    },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  let publisher: FfmpegRtmpPublisher | undefined;
  try {
    await waitForServer();
    const obs = await createLivestream('Friday night synth jam');
    publisher = new FfmpegRtmpPublisher({ url: `${obs.rtmpUrl}/${obs.streamKey}`, width: 1280, height: 720 });
    const context = await browser.newContext({ viewport: VIEWPORT, permissions: ['camera', 'microphone'] });

    const watch = await context.newPage();
    await watch.goto(`${BASE}/watch/${obs.id}`);
    // The state overlay hides once the video plays.
    await watch.getByTestId('player-state').waitFor({ state: 'hidden', timeout: 60_000 });
    // A few seconds of playback, so the latency readout and the thumbnail have settled.
    await watch.waitForTimeout(12_000);
    // Pointer activity brings the controls back; their fade-in takes a moment.
    await watch.mouse.move(600, 300);
    await watch.mouse.move(640, 400);
    await watch.waitForTimeout(600);
    await shoot(watch, 'watch');

    const dashboard = await context.newPage();
    await dashboard.goto(BASE);
    await dashboard.getByLabel('API token').fill(TOKEN);
    await dashboard.getByRole('button', { name: 'Sign in' }).click();
    await dashboard.getByTestId('livestream').first().waitFor();
    await dashboard.waitForTimeout(6_000);
    await shoot(dashboard, 'dashboard');

    const studioStream = await createLivestream('Studio from the browser');
    const studio = await context.newPage();
    await studio.goto(`${BASE}${studioUrl(studioStream)}`);
    await goLive(studio);
    await studio.waitForTimeout(4_000);
    await shoot(studio, 'studio');
  } finally {
    await publisher?.kill();
    await browser.close();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
