import { describe, expect, it } from 'vitest';
import { buildTranscodeArgs } from '../../server/src/transcode/ffmpeg-args.js';
import { axonDefaultLadder, bareLadderArgs } from './bare-ladder.js';

const pairs = (args: string[], name: string) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));

describe('bareLadderArgs', () => {
  it("is Axon's own command with the recording read in real time as its input", () => {
    const { ladder, x264Preset } = axonDefaultLadder();
    expect(ladder.rungs.map((r) => `${r.width}x${r.height}`)).toEqual(['1280x720', '854x480', '640x360', '256x144']);
    expect(bareLadderArgs('/in.flv', '/out', false)).toEqual(
      buildTranscodeArgs({ inputArgs: ['-re', '-f', 'flv', '-i', '/in.flv'], hasAudio: true, ladder, x264Preset, runDir: '/out' }),
    );
  });

  it('copies the source as the top rung and encodes only the lower ones, with encoder options only on those', () => {
    const args = bareLadderArgs('/in.flv', '/out', true);
    expect(pairs(args, '-c:v:3')).toEqual(['copy']);
    expect(args.join(' ')).toContain('-map 0:v:0 -c:v:3 copy');
    expect(pairs(args, '-c:v:0')).toEqual(['libx264']);
    expect(args).not.toContain('-c:v:4');
    expect(args).not.toContain('-profile:v');
    expect(args).not.toContain('-aspect');
    expect(['-profile:v:0', '-profile:v:1', '-profile:v:2'].map((o) => pairs(args, o)[0])).toEqual(['high', 'high', 'high']);
    expect(pairs(args, '-aspect:v:2')).toEqual(['1280:720']);
    // Only the top rung keeps x264's threads, and 480p is the top of the encoded ones here.
    expect(['-threads:v:0', '-threads:v:1', '-threads:v:2'].map((o) => pairs(args, o)[0])).toEqual([undefined, '1', '1']);
    expect(args.find((a) => a.startsWith('[0:v:0]'))).toMatch(/split=3/);
  });
});
