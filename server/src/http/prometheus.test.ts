import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { oncePerScrape, registerPerItem, registerValue } from './prometheus.js';

describe('Prometheus series read at scrape time', () => {
  it('writes HELP, TYPE and the value read at each scrape', async () => {
    const registry = new Registry();
    let sessions = 2;
    registerValue(registry, { name: 'axon_live_sessions', help: 'Broadcasts now live' }, () => sessions);
    registerValue(registry, { name: 'axon_broadcasts_total', help: 'Broadcasts since start', type: 'counter' }, async () => 7);
    expect(await registry.metrics()).toBe(
      '# HELP axon_live_sessions Broadcasts now live\n# TYPE axon_live_sessions gauge\naxon_live_sessions 2\n\n' +
        '# HELP axon_broadcasts_total Broadcasts since start\n# TYPE axon_broadcasts_total counter\naxon_broadcasts_total 7\n',
    );
    sessions = 3;
    expect(await registry.metrics()).toContain('\naxon_live_sessions 3\n');
  });

  it('escapes help text and label values, and spells special values the Prometheus way', async () => {
    const registry = new Registry();
    registerValue(registry, { name: 'm', help: 'a\\b\nc' }, () => Infinity);
    registerPerItem(registry, { name: 'f', help: 'h' }, 'livestream', () => ['b"\\\n'], (id) => [id, -Infinity]);
    const text = await registry.metrics();
    expect(text).toContain('# HELP m a\\\\b\\nc\n# TYPE m gauge\nm +Inf\n');
    expect(text).toContain('f{livestream="b\\"\\\\\\n"} -Inf\n');
  });

  it('labels one series per item, leaves out items without a value, and forgets items that are gone', async () => {
    const registry = new Registry();
    let live = [
      { id: 'a', fps: 30 as number | undefined },
      { id: 'b', fps: 29.97 },
      { id: 'c', fps: undefined },
    ];
    registerPerItem(registry, { name: 'axon_ffmpeg_fps', help: 'fps' }, 'livestream', () => live, (s) => (s.fps === undefined ? undefined : [s.id, s.fps]));
    expect(await registry.metrics()).toBe(
      '# HELP axon_ffmpeg_fps fps\n# TYPE axon_ffmpeg_fps gauge\naxon_ffmpeg_fps{livestream="a"} 30\naxon_ffmpeg_fps{livestream="b"} 29.97\n',
    );
    live = [{ id: 'b', fps: 30 }];
    const text = await registry.metrics();
    expect(text).toContain('axon_ffmpeg_fps{livestream="b"} 30\n');
    expect(text).not.toContain('livestream="a"');
  });

  it('reads a source shared by several series once per scrape', async () => {
    const registry = new Registry();
    let reads = 0;
    const stats = oncePerScrape(async () => {
      reads += 1;
      return { workers: 2, routers: 5 };
    });
    registerValue(registry, { name: 'workers', help: 'h' }, async () => (await stats()).workers);
    registerValue(registry, { name: 'routers', help: 'h' }, async () => (await stats()).routers);
    const text = await registry.metrics();
    expect(text).toContain('\nworkers 2\n');
    expect(text).toContain('\nrouters 5\n');
    expect(reads).toBe(1);
    await registry.metrics();
    expect(reads).toBe(2);
  });

  it('fails the scrape when a source fails', async () => {
    const registry = new Registry();
    registerValue(registry, { name: 'm', help: 'h' }, () => Promise.reject(new Error('gone')));
    await expect(registry.metrics()).rejects.toThrow('gone');
  });
});
