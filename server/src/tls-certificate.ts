import crypto from 'node:crypto';
import fs from 'node:fs';
import { ConfigError, type TlsFiles } from './config.js';
import type { Logger } from './log.js';

/** A certificate chain and its private key, PEM: what `tls.createSecureContext` and `setSecureContext` take. */
export interface TlsPair {
  readonly cert: string;
  readonly key: string;
}

/** How often the files are looked at for a renewal (certbot and friends replace them in place or by symlink). */
const RENEWAL_POLL_MS = 2000;

function readPem(variable: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new ConfigError(`${variable}: cannot read ${file} (${why})`);
  }
}

/**
 * Reads the pair and checks it the way a TLS handshake would need it: a certificate, a private key, and the
 * key belonging to the certificate. Throws a ConfigError naming the file at fault (never the key's bytes).
 */
export function readTlsPair(files: TlsFiles): { pair: TlsPair; certificate: crypto.X509Certificate } {
  const cert = readPem('AXON_TLS_CERT', files.certPath);
  const key = readPem('AXON_TLS_KEY', files.keyPath);
  let certificate: crypto.X509Certificate;
  try {
    // A full chain parses as its first certificate: the server's own.
    certificate = new crypto.X509Certificate(cert);
  } catch {
    throw new ConfigError(`AXON_TLS_CERT: ${files.certPath} holds no PEM certificate`);
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(key);
  } catch {
    throw new ConfigError(`AXON_TLS_KEY: ${files.keyPath} holds no usable PEM private key (a passphrase-protected key is not supported)`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ConfigError(`AXON_TLS_KEY: ${files.keyPath} is not the private key of the certificate in ${files.certPath} (AXON_TLS_CERT)`);
  }
  return { pair: { cert, key }, certificate };
}

const describe = (c: crypto.X509Certificate) => ({ subject: c.subject.replace(/\n/g, ', '), serial: c.serialNumber, validTo: c.validTo });

/**
 * The certificate HTTPS and RTMPS present. Loaded (and checked) at start; then the files are watched, and a
 * renewed, valid pair is handed to every listener without a restart, so live broadcasts are untouched.
 * A pair caught half-written (a new certificate beside the old key) is not taken: the previous one stays
 * until the files agree again.
 */
export class TlsCertificate {
  private current: TlsPair;
  private readonly listeners = new Set<(pair: TlsPair) => void>();
  private lastRefusal = '';

  private constructor(
    private readonly files: TlsFiles,
    loaded: ReturnType<typeof readTlsPair>,
    private readonly log: Logger,
  ) {
    this.current = loaded.pair;
    log.info('TLS certificate loaded', describe(loaded.certificate));
    warnIfUnfit(loaded.certificate, log);
    for (const file of [files.certPath, files.keyPath]) {
      fs.watchFile(file, { interval: RENEWAL_POLL_MS, persistent: false }, this.reload);
    }
  }

  /** Throws a ConfigError naming the file when the pair is missing, unreadable or mismatched. */
  static load(files: TlsFiles, log: Logger): TlsCertificate {
    return new TlsCertificate(files, readTlsPair(files), log);
  }

  get pair(): TlsPair {
    return this.current;
  }

  /** Called with each renewed pair. Returns the remover. */
  onRenew(listener: (pair: TlsPair) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const file of [this.files.certPath, this.files.keyPath]) fs.unwatchFile(file, this.reload);
    this.listeners.clear();
  }

  private readonly reload = (): void => {
    let loaded: ReturnType<typeof readTlsPair>;
    try {
      loaded = readTlsPair(this.files);
    } catch (err) {
      const reason = (err as Error).message;
      if (reason !== this.lastRefusal) this.log.warn(`renewed TLS files not taken, the previous certificate stays: ${reason}`);
      this.lastRefusal = reason;
      return;
    }
    this.lastRefusal = '';
    if (loaded.pair.cert === this.current.cert && loaded.pair.key === this.current.key) return;
    this.current = loaded.pair;
    this.log.info('TLS certificate renewed', describe(loaded.certificate));
    warnIfUnfit(loaded.certificate, this.log);
    for (const listener of [...this.listeners]) {
      try {
        listener(loaded.pair);
      } catch (err) {
        this.log.error('a server could not take the renewed TLS certificate', { err });
      }
    }
  };
}

function warnIfUnfit(certificate: crypto.X509Certificate, log: Logger): void {
  const expires = Date.parse(certificate.validTo);
  if (expires < Date.now()) log.warn('the TLS certificate has expired: browsers and encoders will refuse it', { validTo: certificate.validTo });
}
