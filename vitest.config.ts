import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'shared/**/*.test.ts', 'client/**/*.test.ts', 'bench/**/*.test.ts', 'e2e/fixtures/*.test.ts'],
    exclude: ['e2e/**/*.spec.ts', 'node_modules/**', 'dist/**'],
    // Integration tests start real mediasoup workers, FFmpeg ladders and Chromium.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Forks, not threads: mediasoup workers, @roamhq/wrtc and better-sqlite3 are native and expect a process of their own.
    pool: 'forks',
    // One file at a time: on 2 cores two FFmpeg ladders at once starve each other into timeouts, which would
    // make integration tests fail for reasons unrelated to the code. Unit files are fast enough to run serially.
    fileParallelism: false,
  },
});
