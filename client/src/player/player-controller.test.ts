import { describe, expect, it } from 'vitest';
import type { Recording, RecordingList } from '../../../shared/recording.js';
import { waitFor } from '../../../server/test/fixtures/wait-for.js';
import { Emitter } from '../emitter.js';
import type { Playback, PlaybackEvents, PlaybackState } from './playback.js';
import type { PlaybackEngine } from './playback-engine.js';
import { PlayerController } from './player-controller.js';

class FakePlayback implements Playback {
  readonly events = new Emitter<PlaybackEvents>();
  currentState: PlaybackState = 'loading';
  currentEngine: PlaybackEngine | null = null;
  started = false;
  destroyed = false;

  start(): void {
    this.started = true;
  }

  destroy(): void {
    this.destroyed = true;
  }

  go(state: PlaybackState): void {
    this.currentState = state;
    this.events.emit('state', state);
  }
}

const recording = (id: string) => ({ id, playerUrl: `/watch/ls?recording=${id}` }) as Recording;

/** A recordings source whose answers the test sets as the broadcast goes. */
function recordingsOf(...lists: Recording[][]) {
  const calls: string[] = [];
  const read = async (livestreamId: string): Promise<RecordingList> => {
    calls.push(livestreamId);
    return { items: lists[Math.min(calls.length - 1, lists.length - 1)] ?? [] };
  };
  return { read, calls };
}

function setUp(recordings: ReturnType<typeof recordingsOf> | null) {
  const playback = new FakePlayback();
  const controller = new PlayerController(playback, { livestreamId: 'ls', recordings: recordings?.read ?? null });
  const replays: string[] = [];
  const states: PlaybackState[] = [];
  controller.events.on('replay', (url) => replays.push(url));
  controller.events.on('state', (state) => states.push(state));
  return { playback, controller, replays, states };
}

describe('PlayerController', () => {
  it('offers the replay of a live broadcast once its recording appears', async () => {
    const recordings = recordingsOf([recording('bold')], [recording('bnew'), recording('bold')]);
    const { playback, replays, states } = setUp(recordings);
    playback.go('connecting');
    playback.go('playing');
    playback.go('ended');
    await waitFor('the replay offer', () => replays.length > 0);
    expect(replays).toEqual(['/watch/ls?recording=bnew']);
    expect(states).toEqual(['connecting', 'playing', 'ended']);
    expect(recordings.calls).toEqual(['ls', 'ls']);
  });

  it('offers nothing when the broadcast left no recording', async () => {
    const recordings = recordingsOf([recording('bold')], [recording('bold')]);
    const { playback, replays } = setUp(recordings);
    playback.go('connecting');
    playback.go('ended');
    await waitFor('the recordings after the end', () => recordings.calls.length === 2);
    await Promise.resolve();
    expect(replays).toEqual([]);
  });

  it('drops the offer when the next broadcast began meanwhile', async () => {
    const recordings = recordingsOf([], [recording('bnew')]);
    const { playback, replays } = setUp(recordings);
    playback.go('connecting');
    playback.go('ended');
    playback.go('connecting');
    await waitFor('the recordings after the end', () => recordings.calls.length === 3);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(replays).toEqual([]);
  });

  it('never looks for a replay while playing one', async () => {
    const { playback, replays } = setUp(null);
    playback.go('connecting');
    playback.go('ended');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(replays).toEqual([]);
  });

  it('reads latency only while playing, and hands level choices to the engine', () => {
    const { playback, controller } = setUp(null);
    const picked: Array<string | null> = [];
    playback.currentEngine = {
      latencySeconds: () => 2.5,
      selectLevel: (id: string | null) => picked.push(id),
    } as unknown as PlaybackEngine;
    playback.go('connecting');
    expect(controller.latencySeconds(0)).toBeNull();
    playback.go('playing');
    expect(controller.latencySeconds(0)).toBe(2.5);
    controller.selectLevel('2');
    controller.selectLevel(null);
    expect(picked).toEqual(['2', null]);
  });

  it('starts and destroys its playback', () => {
    const { playback, controller } = setUp(null);
    controller.start();
    controller.destroy();
    expect(playback.started && playback.destroyed).toBe(true);
  });
});
