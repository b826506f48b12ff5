import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLUSTER_UPSTREAM_FILE, clusterEdgeConfig, EDGE_CONFIG_FILE, edgeConfig } from './edge-config.js';

const settings = { cacheDir: '/tmp/edge-cache', origin: '127.0.0.1:41234', listen: '127.0.0.1:45678' };

describe('edgeConfig', () => {
  it('sets the cache directory, origin and listen address of the shipped file and changes nothing else', () => {
    const shipped = fs.readFileSync(EDGE_CONFIG_FILE, 'utf8');
    const text = edgeConfig(shipped, settings);
    expect(text).toContain('proxy_cache_path /tmp/edge-cache levels=');
    expect(text).toContain('server 127.0.0.1:41234; # [origin]');
    expect(text).toContain('listen 127.0.0.1:45678; # [listen]');
    const changed = text.split('\n').filter((line, i) => line !== shipped.split('\n')[i]);
    expect(changed).toHaveLength(3);
  });

  it('honours Cache-Control: caches /live/ without overriding validity or ignoring headers', () => {
    const text = fs.readFileSync(EDGE_CONFIG_FILE, 'utf8');
    const directives = text.split('\n').map((l) => l.replace(/#.*/, '').trim());
    expect(directives).toContain('proxy_cache axon_edge;');
    expect(directives.some((d) => d.startsWith('proxy_cache_valid') || d.startsWith('proxy_ignore_headers'))).toBe(false);
  });

  it('says which line it could not find when the shipped file changed', () => {
    expect(() => edgeConfig('listen 80;\n', settings)).toThrow(/\[cache\]/);
  });
});

describe('clusterEdgeConfig', () => {
  it('puts the cluster upstream, one server per node, in place of the shipped origin and keeps the rest', () => {
    const shipped = fs.readFileSync(EDGE_CONFIG_FILE, 'utf8');
    const text = clusterEdgeConfig(shipped, fs.readFileSync(CLUSTER_UPSTREAM_FILE, 'utf8'), { cacheDir: '/tmp/edge-cache', listen: '127.0.0.1:45678', nodes: ['10.9.0.2:8080', '10.9.0.3:8080'] });
    const upstream = /^upstream axon_origin \{\n([\s\S]*?)^\}$/m.exec(text)?.[1] ?? '';
    const directives = upstream.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
    expect(directives).toEqual(['ip_hash;', 'server 10.9.0.2:8080 max_fails=1 fail_timeout=5s;', 'server 10.9.0.3:8080 max_fails=1 fail_timeout=5s;', 'keepalive 64;']);
    expect(text.match(/^upstream /gm)).toHaveLength(1);
    expect(text).toContain('listen 127.0.0.1:45678; # [listen]');
    expect(text).toContain('proxy_cache axon_edge;');
  });
});
