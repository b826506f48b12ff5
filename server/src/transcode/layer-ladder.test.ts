import { describe, expect, it } from 'vitest';
import type { H264Facts } from '../ingest/h264-sps.js';
import { buildLayerArgs } from './ffmpeg-args.js';
import { copiedLayerRung, layerLadder } from './layer-ladder.js';

/** Chromium's Constrained Baseline layers of a 1280x720 camera, top first. */
const LAYERS: H264Facts[] = [
  { width: 1280, height: 720, profileIdc: 66, constraintFlags: 0xc0, levelIdc: 32 },
  { width: 640, height: 360, profileIdc: 66, constraintFlags: 0xc0, levelIdc: 31 },
  { width: 320, height: 180, profileIdc: 66, constraintFlags: 0xc0, levelIdc: 21 },
];

describe('layerLadder', () => {
  it('makes a rung of each layer at its own size, encoded as planned until a run copies it', () => {
    const { rungs } = layerLadder(LAYERS, 30);
    expect(rungs.map((r) => `${r.name} ${r.width}x${r.height} ${r.codec}`)).toEqual([
      '720p 1280x720 avc1.64001f',
      '360p 640x360 avc1.64001e',
      '180p 320x180 avc1.64001e',
    ]);
  });

  it('declares every rung at the frame rate it is given', () => {
    expect(layerLadder(LAYERS, 25).rungs.map((r) => r.fps)).toEqual([25, 25, 25]);
  });

  it('declares a copied layer with its own SPS and its measured bitrate', () => {
    const planned = layerLadder(LAYERS, 30).rungs[1]!;
    expect(copiedLayerRung(planned, LAYERS[1]!, 812_345.6)).toMatchObject({ width: 640, height: 360, level: 31, codec: 'avc1.42c01f', videoBitrate: 812_346 });
    expect(copiedLayerRung(planned, LAYERS[1]!, 0).videoBitrate).toBe(planned.videoBitrate);
  });
});

describe('buildLayerArgs', () => {
  const args = buildLayerArgs({ inputArgs: ['-f', 'sdp', '-i', 'in.sdp'], hasAudio: true, ladder: layerLadder(LAYERS, 30), runDir: '/run' });

  it('copies each layer into its rung, in order, and encodes only the audio', () => {
    const maps = args.flatMap((a, i) => (a === '-map' ? [args[i + 1]] : []));
    expect(maps).toEqual(['0:v:0', '0:v:1', '0:v:2', '0:a:0']);
    expect(args.filter((a) => a === 'copy')).toHaveLength(3);
    expect(args).not.toContain('libx264');
    expect(args.slice(args.indexOf('-c:a'), args.indexOf('-c:a') + 2)).toEqual(['-c:a', 'aac']);
  });

  it('cuts segments at keyframes 2 s less half a frame apart, as a copied top rung', () => {
    expect(args[args.indexOf('-seg_duration') + 1]).toBe('1.9833');
  });

  it('cuts the segments and parts of layers at 25 fps by their own frames', () => {
    const at25 = buildLayerArgs({ inputArgs: [], hasAudio: true, ladder: layerLadder(LAYERS, 25), runDir: '/run' });
    expect(at25[at25.indexOf('-seg_duration') + 1]).toBe('1.9800');
    expect(at25[at25.indexOf('-frag_duration') + 1]).toBe('0.4');
  });

  it('adds silence when the publisher sends no audio', () => {
    const silent = buildLayerArgs({ inputArgs: [], hasAudio: false, ladder: layerLadder(LAYERS, 30), runDir: '/run' });
    expect(silent).toContain('1:a:0');
    expect(silent).toContain('-shortest');
  });
});
