import { describe, expect, it } from 'vitest';
import { h264Level, planLadder, videoBitrate } from './ladder.js';

const defaults = [1080, 720, 480, 360, 144];

describe('planLadder', () => {
  it('never upscales and uses the source as the top rung when it is one of the defaults', () => {
    const { rungs } = planLadder({ width: 1920, height: 1080 }, defaults, 30);
    expect(rungs.map((r) => `${r.width}x${r.height}`)).toEqual(['1920x1080', '1280x720', '854x480', '640x360', '256x144']);
  });

  it('adds the source resolution on top when it is not a default rung', () => {
    const { rungs } = planLadder({ width: 640, height: 480 }, defaults, 30);
    expect(rungs.map((r) => r.name)).toEqual(['480p', '360p', '144p']);
    expect(rungs[0]).toMatchObject({ width: 640, height: 480 });
    expect(rungs[1]).toMatchObject({ width: 480, height: 360 });
    const odd = planLadder({ width: 1000, height: 562 }, defaults, 30).rungs;
    expect(odd.map((r) => r.name)).toEqual(['562p', '480p', '360p', '144p']);
    expect(odd[0]).toMatchObject({ width: 1000, height: 562 });
  });

  it('keeps 4K as the top rung of a 2160p source', () => {
    const { rungs } = planLadder({ width: 3840, height: 2160 }, defaults, 30);
    expect(rungs[0]).toMatchObject({ name: '2160p', width: 3840, height: 2160, level: 51 });
    expect(rungs).toHaveLength(6);
  });

  it('ladders portrait sources by their short side', () => {
    const { rungs } = planLadder({ width: 720, height: 1280 }, defaults, 30);
    expect(rungs.map((r) => `${r.name} ${r.width}x${r.height}`)).toEqual([
      '720p 720x1280',
      '480p 480x854',
      '360p 360x640',
      '144p 144x256',
    ]);
  });

  it('always has even dimensions and a source smaller than every rung still gets one rung', () => {
    const { rungs } = planLadder({ width: 177, height: 99 }, defaults, 30);
    expect(rungs).toHaveLength(1);
    expect(rungs[0]!.width % 2).toBe(0);
    expect(rungs[0]!.height % 2).toBe(0);
  });

  it('gives bitrates that grow with resolution and frame rate', () => {
    const rates = planLadder({ width: 1920, height: 1080 }, defaults, 30).rungs.map((r) => r.videoBitrate);
    expect([...rates].sort((a, b) => b - a)).toEqual(rates);
    expect(videoBitrate(1280, 720, 30)).toBe(2_800_000);
    expect(videoBitrate(1280, 720, 60)).toBeGreaterThan(videoBitrate(1280, 720, 30));
  });
});

describe('h264Level', () => {
  it('picks the smallest level that fits frame size and macroblock rate', () => {
    expect(h264Level(640, 360, 30)).toBe(30);
    expect(h264Level(1280, 720, 30)).toBe(31);
    expect(h264Level(1920, 1080, 30)).toBe(40);
    expect(h264Level(1920, 1080, 60)).toBe(42);
  });
});
