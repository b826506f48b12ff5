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
  ])('refuses %s=%j, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('refuses a WebRTC port range that ends before it starts', () => {
    expect(() => loadConfig({ RTC_MIN_PORT: '50000', RTC_MAX_PORT: '40000' })).toThrow(/RTC_MIN_PORT must not exceed RTC_MAX_PORT/);
  });
});
