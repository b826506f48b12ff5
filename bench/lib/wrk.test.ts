import { describe, expect, it } from 'vitest';
import { combineSlices, parseWrkOutput, wrkScript, type WrkResult } from './wrk.js';

describe('wrkScript', () => {
  it('cycles the paths, and paces connections only when asked', () => {
    const closed = wrkScript(['/a.m3u8', '/b "x".m4s'], 0);
    expect(closed).toContain('"/a.m3u8",\n  "/b \\"x\\".m4s"');
    expect(closed).toContain('i = i % #paths + 1');
    expect(closed).not.toContain('delay');
    expect(wrkScript(['/a'], 500)).toContain('delay = function() return 500 end');
  });
});

describe('parseWrkOutput', () => {
  it("reads the script's result line among wrk's own output", () => {
    const out = [
      'Running 10s test @ http://127.0.0.1:1234',
      '  2 threads and 200 connections',
      'WRK_RESULT {"requests":20000,"bytes":4000000000,"durationUs":10000000,"p50Us":1500,"p99Us":25000,"socketErrors":0,"badStatus":3}',
      '',
    ].join('\n');
    expect(parseWrkOutput(out)).toEqual({
      requests: 20000,
      durationS: 10,
      requestsPerS: 2000,
      bytesPerS: 400_000_000,
      latencyP50Ms: 1.5,
      latencyP99Ms: 25,
      socketErrors: 0,
      badStatus: 3,
    });
  });

  it('says so when wrk printed no result', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1\n')).toThrow(/no result/);
  });
});

describe('combineSlices', () => {
  const slice = (requests: number, durationS: number, p99: number, errors = 0): WrkResult => ({
    requests,
    durationS,
    requestsPerS: requests / durationS,
    bytesPerS: (requests * 1000) / durationS,
    latencyP50Ms: p99 / 10,
    latencyP99Ms: p99,
    socketErrors: errors,
    badStatus: 0,
  });

  it('adds requests, bytes and errors over the summed duration, and takes the median slice latency', () => {
    expect(combineSlices([slice(3000, 2, 10), slice(1000, 2, 90, 1), slice(2000, 1, 20)])).toEqual({
      requests: 6000,
      durationS: 5,
      requestsPerS: 1200,
      bytesPerS: 1_200_000,
      latencyP50Ms: 2,
      latencyP99Ms: 20,
      socketErrors: 1,
      badStatus: 0,
    });
  });

  it('refuses to combine nothing', () => {
    expect(() => combineSlices([])).toThrow(/no slices/);
  });
});
