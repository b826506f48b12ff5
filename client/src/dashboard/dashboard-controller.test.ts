import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Livestream, LivestreamList, UpdateLivestreamRequest } from '../../../shared/livestream.js';
import type { Recording } from '../../../shared/recording.js';
import { ApiError } from '../api.js';
import { DashboardController, REFRESH_MS, WRONG_TOKEN, type DashboardDeps } from './dashboard-controller.js';

const livestream = (id: string, name = `Show ${id}`) => ({ id, name }) as Livestream;

type OwnerApi = DashboardDeps['api'];

/** The owner API with answers the test sets, and a log of what was asked. */
class FakeApi implements OwnerApi {
  readonly calls: string[] = [];
  items: Livestream[] = [livestream('a')];
  failure: Error | null = null;

  private answer<T>(call: string, value: T): Promise<T> {
    this.calls.push(call);
    return this.failure ? Promise.reject(this.failure) : Promise.resolve(value);
  }

  list(): Promise<LivestreamList> {
    return this.answer('list', { items: this.items, nextCursor: null });
  }

  create(body: { name: string }): Promise<Livestream> {
    return this.answer(`create ${body.name}`, livestream('new', body.name));
  }

  update(id: string, body: UpdateLivestreamRequest): Promise<Livestream> {
    return this.answer(`update ${id} ${JSON.stringify(body)}`, livestream(id));
  }

  remove(id: string): Promise<void> {
    return this.answer(`remove ${id}`, undefined);
  }

  rotateKey(id: string): Promise<Livestream> {
    return this.answer(`rotateKey ${id}`, livestream(id));
  }

  removeRecording(id: string, recordingId: string): Promise<void> {
    return this.answer(`removeRecording ${id} ${recordingId}`, undefined);
  }
}

function setUp(answers: { confirm?: boolean; prompt?: string | null; recordings?: Error } = {}) {
  const api = new FakeApi();
  const signedOut: Array<string | null> = [];
  const dialogs: string[] = [];
  const controller = new DashboardController({
    api,
    recordings: async () => {
      if (answers.recordings) throw answers.recordings;
      return { items: [{ id: 'b1' } as Recording] };
    },
    confirm: async (dialog) => {
      dialogs.push(dialog.title);
      return answers.confirm ?? true;
    },
    prompt: async () => answers.prompt ?? null,
    restreams: () => {
      throw new Error('the restream panel has its own tests');
    },
    signedOut: (reason) => signedOut.push(reason),
  });
  const shown: string[][] = [];
  const errors: Array<string | null> = [];
  controller.events.on('livestreams', (items) => shown.push(items.map((ls) => ls.id)));
  controller.events.on('error', (message) => errors.push(message));
  return { api, controller, signedOut, dialogs, shown, errors };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('DashboardController', () => {
  it('shows the livestreams read at sign-in, then reads them again every few seconds', async () => {
    const { api, controller, shown } = setUp();
    controller.start([livestream('first')]);
    expect(shown).toEqual([['first']]);
    api.items = [livestream('a'), livestream('b')];
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect(shown).toEqual([['first'], ['a', 'b'], ['a', 'b']]);
  });

  it('shows an API failure and goes on, clearing it once a call succeeds', async () => {
    const { api, controller, errors, signedOut } = setUp();
    controller.start([]);
    api.failure = new ApiError(0, 'Cannot reach the Axon server');
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    api.failure = null;
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect(errors).toEqual(['Cannot reach the Axon server', null]);
    expect(signedOut).toEqual([]);
  });

  it('signs out when the token is refused, and stops reading', async () => {
    const { api, controller, signedOut } = setUp();
    controller.start([]);
    api.failure = new ApiError(401, 'missing token');
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect(signedOut).toEqual([WRONG_TOKEN]);
    await vi.advanceTimersByTimeAsync(REFRESH_MS * 3);
    expect(api.calls).toEqual(['list']);
  });

  it('signs out on request and stops reading', async () => {
    const { api, controller, signedOut } = setUp();
    controller.start([]);
    controller.signOut();
    await vi.advanceTimersByTimeAsync(REFRESH_MS * 2);
    expect(signedOut).toEqual([null]);
    expect(api.calls).toEqual([]);
  });

  it('creates a livestream and lists again at once', async () => {
    const { api, controller } = setUp();
    controller.start([]);
    expect(await controller.create({ name: 'Friday', record: true })).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(api.calls).toEqual(['create Friday', 'list']);
    api.failure = new ApiError(400, 'name: too long');
    expect(await controller.create({ name: 'x', record: true })).toBe(false);
  });

  it('renames only to a new name', async () => {
    const same = setUp({ prompt: 'Show a' });
    await same.controller.rename(livestream('a'));
    expect(same.api.calls).toEqual([]);

    const renamed = setUp({ prompt: 'Weekly' });
    await renamed.controller.rename(livestream('a'));
    expect(renamed.api.calls).toEqual(['update a {"name":"Weekly"}', 'list']);
  });

  it('rotates, disables and deletes only once the owner confirms', async () => {
    const declined = setUp({ confirm: false });
    await declined.controller.rotateKey(livestream('a'));
    await declined.controller.setEnabled(livestream('a'), false);
    await declined.controller.remove(livestream('a'));
    expect(await declined.controller.removeRecording(livestream('a'), { id: 'b1', startedAt: '2026-01-01T00:00:00Z' } as Recording)).toBe(false);
    expect(declined.dialogs).toEqual(['Rotate the stream key?', 'Disable this livestream?', 'Delete this livestream?', 'Delete this recording?']);
    expect(declined.api.calls).toEqual([]);

    const confirmed = setUp();
    await confirmed.controller.rotateKey(livestream('a'));
    await confirmed.controller.remove(livestream('a'));
    expect(await confirmed.controller.removeRecording(livestream('a'), { id: 'b1', startedAt: '2026-01-01T00:00:00Z' } as Recording)).toBe(true);
    expect(confirmed.api.calls).toEqual(['rotateKey a', 'list', 'remove a', 'list', 'removeRecording a b1']);
  });

  it('enables without asking', async () => {
    const { api, controller, dialogs } = setUp();
    await controller.setEnabled(livestream('a'), true);
    expect(dialogs).toEqual([]);
    expect(api.calls).toEqual(['update a {"enabled":true}', 'list']);
  });

  it('reads a livestream recordings, and none when that failed', async () => {
    const { controller } = setUp();
    expect(await controller.recordings(livestream('a'))).toEqual([{ id: 'b1' }]);
    const failing = setUp({ recordings: new ApiError(500, 'disk full') });
    expect(await failing.controller.recordings(livestream('a'))).toBeUndefined();
    expect(failing.errors).toEqual(['disk full']);
  });
});
