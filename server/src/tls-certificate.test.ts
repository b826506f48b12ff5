import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, type TestCa } from '../../e2e/fixtures/test-ca.js';
import { tempDirs } from '../test/fixtures/temp-dirs.js';
import { waitFor } from '../test/fixtures/wait-for.js';
import { ConfigError } from './config.js';
import type { Logger } from './log.js';
import { TlsCertificate, type TlsPair } from './tls-certificate.js';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

const makeTempDir = tempDirs();

describe('TlsCertificate', () => {
  let ca: TestCa;
  let dir: string;
  let files: { certPath: string; keyPath: string };

  beforeAll(async () => {
    ca = await createTestCa();
  });
  afterAll(() => ca.close());

  const fresh = async () => {
    dir = makeTempDir('axon-tls-');
    files = { certPath: path.join(dir, 'cert.pem'), keyPath: path.join(dir, 'key.pem') };
    return ca.issue({ ip: '127.0.0.1', ...files });
  };

  it('loads a certificate and its key', async () => {
    await fresh();
    const certificate = TlsCertificate.load(files, quiet);
    try {
      expect(certificate.pair.cert).toBe(fs.readFileSync(files.certPath, 'utf8'));
      expect(certificate.pair.key).toBe(fs.readFileSync(files.keyPath, 'utf8'));
    } finally {
      certificate.close();
    }
  });

  it('stops the start naming the file that is missing, unreadable, not PEM or not the pair', async () => {
    await fresh();
    const refusal = (f: { certPath: string; keyPath: string }) => {
      try {
        TlsCertificate.load(f, quiet).close();
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('loaded');
    };
    const missing = path.join(dir, 'missing.pem');
    expect(refusal({ ...files, certPath: missing })).toBe(`AXON_TLS_CERT: cannot read ${missing} (no such file)`);
    expect(refusal({ ...files, keyPath: missing })).toBe(`AXON_TLS_KEY: cannot read ${missing} (no such file)`);
    // A directory: unreadable as a file even for root, who reads any mode.
    expect(refusal({ ...files, keyPath: dir })).toMatch(new RegExp(`^AXON_TLS_KEY: cannot read ${dir} \\(EISDIR\\)$`));
    const garbage = path.join(dir, 'garbage.pem');
    fs.writeFileSync(garbage, 'not a certificate\n');
    expect(refusal({ ...files, certPath: garbage })).toBe(`AXON_TLS_CERT: ${garbage} holds no PEM certificate`);
    expect(refusal({ ...files, keyPath: garbage })).toMatch(`AXON_TLS_KEY: ${garbage} holds no usable PEM private key`);
    // The certificate as the key: a PEM file, but no private key in it.
    expect(refusal({ ...files, keyPath: files.certPath })).toMatch(`AXON_TLS_KEY: ${files.certPath} holds no usable PEM private key`);
    const otherKey = path.join(dir, 'other-key.pem');
    await ca.issue({ ip: '127.0.0.1', certPath: path.join(dir, 'other-cert.pem'), keyPath: otherKey });
    const mismatch = refusal({ ...files, keyPath: otherKey });
    expect(mismatch).toBe(`AXON_TLS_KEY: ${otherKey} is not the private key of the certificate in ${files.certPath} (AXON_TLS_CERT)`);
    // Never the key's bytes.
    expect(mismatch).not.toContain('PRIVATE KEY');
  });

  it('hands a renewed pair to its listeners, and keeps the old one while the files disagree', async () => {
    await fresh();
    const certificate = TlsCertificate.load(files, quiet);
    const renewals: TlsPair[] = [];
    certificate.onRenew((pair) => renewals.push(pair));
    try {
      const first = certificate.pair;
      // Half a renewal: a new certificate beside the old key. Not taken.
      const staged = { certPath: path.join(dir, 'next-cert.pem'), keyPath: path.join(dir, 'next-key.pem') };
      await ca.issue({ ip: '127.0.0.1', ...staged });
      fs.copyFileSync(staged.certPath, files.certPath);
      // Two polls of the files: long enough for a wrong reload to have happened.
      await new Promise((r) => setTimeout(r, 4500));
      expect(renewals).toHaveLength(0);
      expect(certificate.pair).toBe(first);
      // The key follows: now the pair is whole and taken.
      fs.copyFileSync(staged.keyPath, files.keyPath);
      await waitFor('the renewal', () => renewals.length === 1, 10_000);
      expect(certificate.pair.cert).toBe(fs.readFileSync(staged.certPath, 'utf8'));
      expect(renewals[0]).toBe(certificate.pair);
    } finally {
      certificate.close();
    }
  });
});
