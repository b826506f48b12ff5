import { describe, expect, it } from 'vitest';
import type { RestreamTarget } from '../../../shared/restream.js';
import { ApiError } from '../api.js';
import { RestreamsController, type RestreamsDeps } from './restreams-controller.js';

const target = (id: string, status: RestreamTarget['status'] = 'idle'): RestreamTarget => ({
  id,
  livestreamId: 'ls1',
  name: `target ${id}`,
  url: 'rtmp://a.rtmp.youtube.com/live2',
  streamKeyMasked: '…abcd',
  enabled: true,
  createdAt: '2026-12-01T10:00:00.000Z',
  status,
  reason: null,
  source: null,
  bitrateOut: null,
  uptimeS: null,
});

function setUp(o: { confirmed?: boolean; failure?: Error } = {}) {
  const calls: string[] = [];
  const answer = <T>(call: string, value: T) => {
    calls.push(call);
    return o.failure ? Promise.reject(o.failure) : Promise.resolve(value);
  };
  const api: RestreamsDeps['api'] = {
    list: (id) => answer(`list ${id}`, { items: [target('rs_a', 'live')] }),
    create: (id, body) => answer(`create ${id} ${body.name} ${body.url}`, target('rs_new')),
    update: (id, rid, body) => answer(`update ${id} ${rid} ${JSON.stringify(body)}`, target(rid)),
    remove: (id, rid) => answer(`remove ${id} ${rid}`, undefined),
  };
  const controller = new RestreamsController({ api, livestreamId: 'ls1', confirm: async () => o.confirmed ?? true });
  const lists: string[][] = [];
  const errors: Array<string | null> = [];
  controller.events.on('targets', (items) => lists.push(items.map((t) => `${t.id} ${t.status}`)));
  controller.events.on('error', (message) => errors.push(message));
  return { controller, calls, lists, errors };
}

describe('RestreamsController', () => {
  it('adds a target, then shows the list with its status', async () => {
    const { controller, calls, lists } = setUp();
    expect(await controller.add({ name: 'YouTube', url: 'rtmp://a.rtmp.youtube.com/live2', streamKey: 'k-1234' })).toBe(true);
    expect(calls).toEqual(['create ls1 YouTube rtmp://a.rtmp.youtube.com/live2', 'list ls1']);
    expect(lists).toEqual([['rs_a live']]);
  });

  it('disables a target and deletes one only once confirmed', async () => {
    const kept = setUp({ confirmed: false });
    await kept.controller.remove(target('rs_a'));
    expect(kept.calls).toEqual([]);
    const { controller, calls } = setUp();
    await controller.setEnabled(target('rs_a'), false);
    await controller.remove(target('rs_a'));
    expect(calls).toEqual(['update ls1 rs_a {"enabled":false}', 'list ls1', 'remove ls1 rs_a', 'list ls1']);
  });

  it('shows what the server said when a call fails', async () => {
    const { controller, errors } = setUp({ failure: new ApiError(400, 'url: must be an rtmp:// or rtmps:// URL') });
    expect(await controller.add({ name: 'x', url: 'http://x', streamKey: 'k' })).toBe(false);
    expect(errors).toEqual(['url: must be an rtmp:// or rtmps:// URL']);
  });
});
