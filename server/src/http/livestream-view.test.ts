import { describe, expect, it } from 'vitest';
import { IdleSession } from '../../test/fixtures/idle-session.js';
import type { LivestreamRecord } from '../store/livestream-repository.js';
import { LivestreamViews } from './livestream-view.js';

const record: LivestreamRecord = {
  id: 'abcdefgh1234',
  name: 'Talk "<b>&\'',
  streamKey: 'secret-key-secret-key-secret-key',
  record: true,
  dvrWindowS: null,
  topRung: null,
  enabled: false,
  createdAt: '2026-01-02T03:04:05.000Z',
  thumbnailVersion: null,
};

const views = new LivestreamViews({
  config: { publicUrl: 'https://tv.example.org:8443', rtmpPort: 1935, rtmpsPort: 1936, tls: { certPath: 'c.pem', keyPath: 'k.pem' }},
  registry: { status: async (id) => (id === 'abcdefgh1234' ? 'live' : 'offline'), get: () => undefined },
  viewerCount: () => 3,
});

describe('LivestreamViews', () => {
  it('builds every URL from the public URL', async () => {
    expect(await views.full(record)).toMatchObject({
      status: 'live',
      viewers: 3,
      rtmpUrl: 'rtmp://tv.example.org:1935/live',
      rtmpsUrl: 'rtmps://tv.example.org:1936/live',
      whipUrl: 'https://tv.example.org:8443/whip/abcdefgh1234',
      playerUrl: 'https://tv.example.org:8443/watch/abcdefgh1234',
      hlsUrl: 'https://tv.example.org:8443/live/abcdefgh1234/master.m3u8',
      dashUrl: 'https://tv.example.org:8443/live/abcdefgh1234/manifest.mpd',
      streamKey: record.streamKey,
      record: true,
      enabled: false,
    });
  });

  it('offers no RTMPS URL without a certificate', async () => {
    const plain = new LivestreamViews({
      config: { publicUrl: 'http://tv.example.org', rtmpPort: 1935, rtmpsPort: 1936, tls: undefined},
      registry: { status: async () => 'offline', get: () => undefined },
      viewerCount: () => 0,
    });
    expect(await plain.full(record)).toMatchObject({ rtmpUrl: 'rtmp://tv.example.org:1935/live', rtmpsUrl: null });
  });

  it('embeds an iframe on the embed page, with the name escaped', async () => {
    const html = (await views.publicView(record)).embedHtml;
    expect(html).toMatch(/^<iframe src="https:\/\/tv\.example\.org:8443\/embed\/abcdefgh1234" /);
    expect(html).toContain('title="Talk &quot;&lt;b&gt;&amp;&#39;"');
    expect(html).toContain('allow="autoplay; fullscreen');
    expect(html).toContain('allowfullscreen');
  });

  it('gives the owner the ingest health of a broadcast going on, and nobody else', async () => {
    const session = new IdleSession(record.id);
    const live = new LivestreamViews({
      config: { publicUrl: 'http://tv.example.org', rtmpPort: 1935, rtmpsPort: 1936, tls: undefined},
      registry: { status: async () => 'live', get: () => session },
      viewerCount: () => 0,
    });
    expect((await live.full(record)).health).toEqual(session.health);
    expect(await live.publicView(record)).not.toHaveProperty('health');
    void session.stop('over');
    expect(await live.full(record)).not.toHaveProperty('health');
    expect(await views.full(record)).not.toHaveProperty('health');
  });

  it('leaves every secret out of the public view', async () => {
    const view = await views.publicView(record);
    expect(Object.keys(view).sort()).toEqual(
      ['createdAt', 'dashUrl', 'embedHtml', 'hlsUrl', 'id', 'name', 'playerUrl', 'status', 'thumbnailUrl', 'viewers'].sort(),
    );
    expect(JSON.stringify(view)).not.toContain(record.streamKey);
  });

  it('gives the thumbnail URL once a picture is stored, with its version in the query', async () => {
    expect((await views.publicView(record)).thumbnailUrl).toBeNull();
    const first = (await views.publicView({ ...record, thumbnailVersion: 'v1AbC-_9' })).thumbnailUrl;
    expect(first).toBe('https://tv.example.org:8443/live/abcdefgh1234/thumbnail.jpg?v=v1AbC-_9');
    expect((await views.full({ ...record, thumbnailVersion: 'v2' })).thumbnailUrl).not.toBe(first);
  });
});
