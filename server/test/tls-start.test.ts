import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, type TestCa } from '../../e2e/fixtures/test-ca.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const makeTempDir = tempDirs();

/** Runs the real server with TLS files that cannot serve: it must stop at once, naming the file. */
async function failedStart(tlsEnv: Record<string, string>, dataDir: string): Promise<{ code: number | null; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: ROOT,
      timeout: 30_000,
      env: { ...process.env, PORT: '18991', RTMP_PORT: '18992', RTMPS_PORT: '18993', AXON_DATA_DIR: dataDir, AXON_API_TOKEN: 'tls-start-token-0123456789', ...tlsEnv },
    });
  } catch (err) {
    const e = err as { code: number | null; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error('the server started');
}

describe('a server whose certificate cannot serve does not start', () => {
  let ca: TestCa;
  let files: { certPath: string; keyPath: string };
  let otherKey: string;

  beforeAll(async () => {
    ca = await createTestCa();
    files = { certPath: path.join(ca.dir, 'cert.pem'), keyPath: path.join(ca.dir, 'key.pem') };
    await ca.issue({ ip: '127.0.0.1', ...files });
    otherKey = path.join(ca.dir, 'other-key.pem');
    await ca.issue({ ip: '127.0.0.1', certPath: path.join(ca.dir, 'other-cert.pem'), keyPath: otherKey });
  });
  afterAll(() => ca.close());

  it.each([
    ['a missing certificate', () => ({ AXON_TLS_CERT: path.join(ca.dir, 'nope.pem'), AXON_TLS_KEY: files.keyPath }), /AXON_TLS_CERT: cannot read \S*nope\.pem \(no such file\)/],
    ['an unreadable key', () => ({ AXON_TLS_CERT: files.certPath, AXON_TLS_KEY: ca.dir }), /AXON_TLS_KEY: cannot read \S+ \(EISDIR\)/],
    ['a key that is not the certificate\'s', () => ({ AXON_TLS_CERT: files.certPath, AXON_TLS_KEY: otherKey }), /AXON_TLS_KEY: \S*other-key\.pem is not the private key of the certificate/],
    ['only one of the two variables', () => ({ AXON_TLS_CERT: files.certPath }), /AXON_TLS_CERT and AXON_TLS_KEY go together/],
  ])('%s', async (_what, env, message) => {
    const dataDir = makeTempDir('axon-tls-start-');
    const { code, stderr } = await failedStart(env(), dataDir);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    // Stopped before touching anything: no database, no media directory.
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});
