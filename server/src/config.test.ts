import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('fills in every default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', rtmpPort: 1935, reconnectWindowS: 30, dvrWindowS: 300 });
    expect(config.originCacheBytes).toBe(64 * 2 ** 20);
    expect(config.publicUrl).toBe('http://localhost:8080');
  });

  it('reads the origin cache size in MiB, 0 turning it off', () => {
    expect(loadConfig({ AXON_ORIGIN_CACHE_MB: '256' }).originCacheBytes).toBe(256 * 2 ** 20);
    expect(loadConfig({ AXON_ORIGIN_CACHE_MB: '0' }).originCacheBytes).toBe(0);
  });

  it.each([
    ['AXON_ORIGIN_CACHE_MB', '-1'],
    ['AXON_ORIGIN_CACHE_MB', 'lots'],
    ['AXON_ORIGIN_CACHE_MB', '1.5'],
    ['AXON_ORIGIN_CACHE_MB', '70000'],
    ['PORT', '70000'],
    ['AXON_LADDER', '720p,480p'],
    ['AXON_PUBLIC_URL', 'not a url'],
    ['AXON_API_TOKEN', 'short'],
    ['REDIS_URL', 'http://redis'],
    ['RTMPS_PORT', '0'],
  ])('refuses %s=%j, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('takes a PostgreSQL URL only beside Redis, and never repeats a refused one', () => {
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(loadConfig({ ...redis, DATABASE_URL: 'postgres://axon:pw@db:5432/axon' }).databaseUrl).toBe('postgres://axon:pw@db:5432/axon');
    expect(loadConfig({ ...redis, DATABASE_URL: 'postgresql://db/axon' }).databaseUrl).toBe('postgresql://db/axon');
    for (const url of ['mysql://axon:hunter2-secret@db/axon', 'postgres://axon:hunter2-secret@[bad/axon', 'hunter2-secret']) {
      expect(() => loadConfig({ ...redis, DATABASE_URL: url })).toThrow(/DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
      expect(() => loadConfig({ ...redis, DATABASE_URL: url })).not.toThrow(/hunter2/);
    }
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/axon' })).toThrow(/DATABASE_URL \(cluster mode\) needs REDIS_URL/);
  });

  it('wants the announced address when WebRTC listens on every interface', () => {
    expect(() => loadConfig({ RTC_LISTEN_IP: '0.0.0.0' })).toThrow(/RTC_LISTEN_IP=0.0.0.0 needs RTC_ANNOUNCED_IP/);
    expect(loadConfig({ RTC_LISTEN_IP: '0.0.0.0', RTC_ANNOUNCED_IP: '203.0.113.7' }).rtc).toMatchObject({
      listenIp: '0.0.0.0',
      announcedAddress: '203.0.113.7',
    });
  });

  it('takes TLS files in pairs, serves HTTPS URLs with them, and keeps RTMPS off the RTMP port', () => {
    const tls = { AXON_TLS_CERT: 'cert.pem', AXON_TLS_KEY: 'key.pem' };
    expect(() => loadConfig({ AXON_TLS_KEY: 'key.pem' })).toThrow(/AXON_TLS_CERT and AXON_TLS_KEY go together/);
    const config = loadConfig(tls);
    expect(config.publicUrl).toBe('https://localhost:8080');
    expect(config.rtmpsPort).toBe(1936);
    expect(config.tls?.certPath).toMatch(/\/cert\.pem$/);
    expect(loadConfig({ ...tls, AXON_PUBLIC_URL: 'https://tv.example.org' }).publicUrl).toBe('https://tv.example.org');
    expect(() => loadConfig({ ...tls, RTMPS_PORT: '1935' })).toThrow(/RTMPS_PORT must differ from RTMP_PORT/);
    expect(loadConfig({}).tls).toBeUndefined();
  });

  it('sets the admission limit from the cores, and the limits per client address', () => {
    const config = loadConfig({});
    expect(config.maxBroadcasts).toBe(Math.max(1, Math.floor(1.5 * os.availableParallelism())));
    expect(config.limits).toEqual({
      requestsPerMinute: 600,
      rtmpConnectionsPerIp: 10,
      publishSessionsPerIp: 5,
      whepSessionsPerIp: 50,
      whepSessionsPerLivestream: 300,
    });
    expect(loadConfig({ AXON_MAX_BROADCASTS: '7' }).maxBroadcasts).toBe(7);
    for (const name of ['AXON_MAX_BROADCASTS', 'AXON_RATE_LIMIT', 'AXON_MAX_RTMP_PER_IP', 'AXON_MAX_WHEP_PER_LIVESTREAM']) {
      expect(() => loadConfig({ [name]: '0' }), name).toThrow(name);
    }
  });

  it('names the node as other nodes reach it, and keeps media where AXON_MEDIA_DIR says', () => {
    expect(loadConfig({}).nodeUrl).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '9000' }).nodeUrl).toBe(`http://${os.hostname()}:9000`);
    expect(loadConfig({ AXON_NODE_URL: 'https://node-2.internal:8443/' }).nodeUrl).toBe('https://node-2.internal:8443');
    expect(() => loadConfig({ AXON_NODE_URL: 'ftp://node-2.internal' })).toThrow(/AXON_NODE_URL must be an http/);
    expect(loadConfig({ AXON_DATA_DIR: '/srv/axon' }).mediaDir).toBe('/srv/axon/media');
    expect(loadConfig({ AXON_DATA_DIR: '/srv/axon', AXON_MEDIA_DIR: '/mnt/media' }).mediaDir).toBe('/mnt/media');
  });

  it('refuses a WebRTC port range that ends before it starts', () => {
    expect(() => loadConfig({ RTC_MIN_PORT: '50000', RTC_MAX_PORT: '40000' })).toThrow(/RTC_MIN_PORT must not exceed RTC_MAX_PORT/);
  });
});
