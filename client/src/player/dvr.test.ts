import { describe, expect, it } from 'vitest';
import type { Recording } from '../../../shared/recording.js';
import { AT_LIVE_S, behindLiveText, formatClock, recordingOfEndedBroadcast, seeksToLive } from './dvr.js';

describe('DVR readouts', () => {
  it('formats clock times', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(20.4)).toBe('0:20');
    expect(formatClock(75)).toBe('1:15');
    expect(formatClock(3725)).toBe('1:02:05');
    expect(formatClock(-3)).toBe('0:00');
  });

  it('says LIVE while following live, and how far behind otherwise', () => {
    expect(behindLiveText(true, 0.4)).toBe('LIVE');
    expect(behindLiveText(false, 20)).toBe('-0:20');
    expect(behindLiveText(false, 301)).toBe('-5:01');
  });

  it('treats a seek close to the live position as going back to live', () => {
    expect(seeksToLive(100, 100)).toBe(true);
    expect(seeksToLive(100 - AT_LIVE_S + 1, 100)).toBe(true);
    expect(seeksToLive(80, 100)).toBe(false);
  });
});

describe('the replay of a broadcast that ended', () => {
  const rec = (id: string): Recording => ({
    id,
    status: 'complete',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:10:00.000Z',
    duration: 600,
    hlsUrl: `https://tv.example/live/ls/${id}/master.m3u8`,
    dashUrl: `https://tv.example/live/ls/${id}/manifest.mpd`,
    playerUrl: `https://tv.example/watch/ls?recording=${id}`,
    thumbnailUrl: null,
  });

  it('is the newest recording that was not there while it was live', () => {
    expect(recordingOfEndedBroadcast(new Set(['bold']), [rec('bnew'), rec('bold')])?.id).toBe('bnew');
    expect(recordingOfEndedBroadcast(new Set(), [rec('bfirst')])?.id).toBe('bfirst');
  });

  it('is none when the broadcast was not recorded', () => {
    expect(recordingOfEndedBroadcast(new Set(['bold']), [rec('bold')])).toBeNull();
    expect(recordingOfEndedBroadcast(new Set(), [])).toBeNull();
  });
});
