import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { DEFAULT_LADDER_HEIGHTS } from './shared/constants.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/fixtures/chromium.js';
import { E2E_API_TOKEN, E2E_BASE_URL, E2E_PORT, E2E_RTMP_PORT } from './e2e/fixtures/env.js';

// Playwright evaluates this file in the runner and again in every worker; workers inherit the runner's
// environment, so only the runner creates the data directory (and removes it when the run ends).
if (!process.env.AXON_E2E_DATA_DIR) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-e2e-'));
  process.env.AXON_E2E_DATA_DIR = dir;
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
}

export default defineConfig({
  testDir: 'e2e',
  // e2e/fixtures/*.test.ts are the fixtures' own Vitest checks.
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  // One browser at a time: each test drives a real FFmpeg ladder, and the machine has 2 cores.
  workers: 1,
  fullyParallel: false,
  // No retries anywhere: a test that passes on a second try is a bug we want to see.
  retries: 0,
  timeout: 120_000,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  use: {
    baseURL: E2E_BASE_URL,
    permissions: ['camera', 'microphone'],
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
  },
  webServer: {
    command: 'node --import tsx server/src/main.ts',
    url: `${E2E_BASE_URL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(E2E_PORT),
      HOST: '127.0.0.1',
      AXON_PUBLIC_URL: E2E_BASE_URL,
      AXON_DATA_DIR: process.env.AXON_E2E_DATA_DIR,
      AXON_API_TOKEN: E2E_API_TOKEN,
      // Spelled out so a developer's own AXON_LADDER cannot change what the specs see.
      AXON_LADDER: DEFAULT_LADDER_HEIGHTS.join(','),
      AXON_LOG_LEVEL: 'info',
      // Off the defaults, so a developer's running `npm start` (1935, 40000-49999) does not collide.
      RTMP_PORT: String(E2E_RTMP_PORT),
      // Short, so a spec that drops its RTMP publisher sees the broadcast end without waiting 30 s.
      AXON_RECONNECT_WINDOW_S: '5',
      // Specs run one after another, but a broadcast a spec left ends a few seconds after the next starts: the
      // admission limit (3 on 2 cores) is tested on a server of its own, not met by accident here.
      AXON_MAX_BROADCASTS: '20',
      RTC_MIN_PORT: '39000',
      RTC_MAX_PORT: '39899',
    },
  },
});
