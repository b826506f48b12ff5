import { describe, expect, it } from 'vitest';
import { ENDED_RECHECK_MS, statusAction, type StatusContext } from './live-playback.js';

const ctx = (over: Partial<StatusContext> = {}): StatusContext => ({ hasPlayed: false, offlineSinceEnd: false, msSinceEnded: 0, ...over });

describe('statusAction', () => {
  it('waits while offline and connects once live', () => {
    expect(statusAction('loading', 'offline', ctx())).toBe('offline');
    expect(statusAction('offline', 'offline', ctx())).toBe('none');
    expect(statusAction('loading', 'live', ctx())).toBe('connect');
    expect(statusAction('offline', 'live', ctx())).toBe('connect');
  });

  it('waits while a broadcast is starting, as while offline: only a live one is playable', () => {
    expect(statusAction('loading', 'starting', ctx())).toBe('offline');
    expect(statusAction('offline', 'starting', ctx())).toBe('none');
    expect(statusAction('offline', 'live', ctx())).toBe('connect');
    expect(statusAction('ended', 'starting', ctx())).toBe('note-offline');
  });

  it('leaves a connection in progress or playing alone while live', () => {
    expect(statusAction('connecting', 'live', ctx())).toBe('none');
    expect(statusAction('playing', 'live', ctx({ hasPlayed: true }))).toBe('none');
  });

  it('ends a broadcast that was watched, and returns to waiting for one that never showed', () => {
    expect(statusAction('playing', 'offline', ctx({ hasPlayed: true }))).toBe('end');
    expect(statusAction('connecting', 'offline', ctx({ hasPlayed: true }))).toBe('end');
    expect(statusAction('connecting', 'offline', ctx())).toBe('offline');
  });

  it('after an end, starts again once the livestream was offline and is live again', () => {
    expect(statusAction('ended', 'offline', ctx())).toBe('note-offline');
    expect(statusAction('ended', 'live', ctx({ offlineSinceEnd: false, msSinceEnded: 2000 }))).toBe('none');
    expect(statusAction('ended', 'live', ctx({ offlineSinceEnd: true, msSinceEnded: 2000 }))).toBe('connect');
  });

  it('re-checks an ended broadcast that still reads live, in case the next one began between two polls', () => {
    expect(statusAction('ended', 'live', ctx({ msSinceEnded: ENDED_RECHECK_MS }))).toBe('connect');
  });

  it('stays put when the livestream does not exist or cannot play', () => {
    expect(statusAction('not-found', 'live', ctx())).toBe('none');
    expect(statusAction('unsupported', 'offline', ctx())).toBe('none');
  });
});
