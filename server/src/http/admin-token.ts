import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';

export const API_TOKEN_FILE = 'api-token';
const MIN_LENGTH = 16;

/**
 * The admin API token: AXON_API_TOKEN when set, else the one kept in `<dataDir>/api-token` (mode 0600),
 * generated and printed once on the first start.
 */
export function loadOrCreateApiToken(config: Config, log: Logger): string {
  if (config.apiToken !== undefined) return config.apiToken;
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(config.dataDir, API_TOKEN_FILE);
  const token = randomBytes(32).toString('base64url');
  try {
    // 'wx': of two processes starting at once, one creates the file and the other reads it.
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    log.info(`generated an admin API token (shown only this once; kept in ${file}): ${token}`);
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if ((fs.statSync(file).mode & 0o077) !== 0) {
    fs.chmodSync(file, 0o600);
    log.warn(`${file} was readable by others; its mode is now 0600`);
  }
  const stored = fs.readFileSync(file, 'utf8').trim();
  if (stored.length < MIN_LENGTH) throw new Error(`${file} holds no usable token: delete it to generate a new one`);
  log.info(`admin API token read from ${file}`);
  return stored;
}
