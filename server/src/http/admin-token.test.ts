import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { Logger } from '../log.js';
import { API_TOKEN_FILE, loadOrCreateApiToken } from './admin-token.js';

function recordingLogger(lines: string[]): Logger {
  const write = (msg: string) => void lines.push(msg);
  return { debug: write, info: write, warn: write, error: write, child: () => recordingLogger(lines) };
}

describe('loadOrCreateApiToken', () => {
  let dataDir: string;
  let lines: string[];
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-token-'));
    lines = [];
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('uses AXON_API_TOKEN when set, without writing a file', () => {
    const config = loadConfig({ AXON_DATA_DIR: dataDir, AXON_API_TOKEN: 'from-the-environment-0123' });
    expect(loadOrCreateApiToken(config, recordingLogger(lines))).toBe('from-the-environment-0123');
    expect(fs.existsSync(path.join(dataDir, API_TOKEN_FILE))).toBe(false);
  });

  it('generates a token once, keeps it 0600, prints it once, and reuses it', () => {
    const config = loadConfig({ AXON_DATA_DIR: path.join(dataDir, 'nested') });
    const token = loadOrCreateApiToken(config, recordingLogger(lines));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = path.join(config.dataDir, API_TOKEN_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateApiToken(config, recordingLogger(lines))).toBe(token);
    expect(lines.filter((l) => l.includes(token))).toHaveLength(1);
  });

  it('tightens a token file others can read', () => {
    const config = loadConfig({ AXON_DATA_DIR: dataDir });
    const file = path.join(dataDir, API_TOKEN_FILE);
    fs.writeFileSync(file, 'a-token-written-by-hand\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect(loadOrCreateApiToken(config, recordingLogger(lines))).toBe('a-token-written-by-hand');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a token file without a usable token', () => {
    const config = loadConfig({ AXON_DATA_DIR: dataDir });
    fs.writeFileSync(path.join(dataDir, API_TOKEN_FILE), 'short\n', { mode: 0o600 });
    expect(() => loadOrCreateApiToken(config, recordingLogger(lines))).toThrow(/no usable token/);
  });
});
