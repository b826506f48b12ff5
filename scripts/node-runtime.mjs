// The Node that runs Axon: this one when it is new enough, else the official build from the npm registry
// (the `node-<platform>-<arch>` packages the `node` package installs through), unpacked once into the user's
// cache. Node built-ins only: it runs before node_modules exist, on whatever Node the machine has.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

/** Node 24 LTS: supported until 2028-04-30. Exact, so every machine runs and builds native addons against the same one. */
export const AXON_NODE_VERSION = '24.22.3';
const AXON_NODE_MAJOR = Number(AXON_NODE_VERSION.split('.')[0]);

/**
 * @typedef {object} NodeRuntime
 * @property {string} version  e.g. v24.22.3
 * @property {string} bin  the node binary
 * @property {string} binDir  its directory, put first on PATH for everything started from here
 * @property {string | undefined} headersDir  where include/node lives, for native addons (npm's nodedir)
 */

function headersDirOf(bin) {
  const prefix = path.resolve(path.dirname(bin), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

function runtimeOf(bin, version) {
  return { version, bin, binDir: path.dirname(bin), headersDir: headersDirOf(bin) };
}

function versionOf(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * This Node when its major is at least Axon's; else Axon's Node from the cache, fetched with `npm pack` when
 * missing. `say` reports progress, `fail` stops with a message naming what to install.
 * @returns {NodeRuntime}
 */
export function ensureNodeRuntime({ say, fail }) {
  const [major] = process.versions.node.split('.').map(Number);
  if (major >= AXON_NODE_MAJOR) return runtimeOf(process.execPath, process.version);

  const platformPackage = `node-${process.platform}-${process.arch}`;
  const cacheRoot = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const dir = path.join(cacheRoot, 'axon', `node-v${AXON_NODE_VERSION}-${process.platform}-${process.arch}`);
  const bin = path.join(dir, 'bin', 'node');
  if (versionOf(bin) === `v${AXON_NODE_VERSION}`) return runtimeOf(bin, `v${AXON_NODE_VERSION}`);

  say(`this Node is ${process.version}; Axon runs on Node ${AXON_NODE_VERSION}: fetching ${platformPackage}@${AXON_NODE_VERSION} from the npm registry (about 50 MB)`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-node-'));
  try {
    const pack = spawnSync('npm', ['pack', `${platformPackage}@${AXON_NODE_VERSION}`, '--pack-destination', work, '--silent'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tarball = pack.status === 0 ? path.join(work, pack.stdout.trim().split('\n').at(-1) ?? '') : '';
    if (!tarball || !fs.existsSync(tarball)) {
      fail(
        `could not fetch ${platformPackage}@${AXON_NODE_VERSION} from the npm registry (${(pack.stderr || '').trim().split('\n').at(-1) ?? 'npm pack failed'}); ` +
          `install Node ${AXON_NODE_MAJOR} (https://nodejs.org) and run again`,
      );
    }
    if (spawnSync('tar', ['-xzf', tarball, '-C', work], { stdio: 'inherit' }).status !== 0) fail(`could not unpack ${tarball}`);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.rmSync(dir, { recursive: true, force: true });
    // One rename: a run cut short leaves no half-unpacked runtime in the cache.
    fs.renameSync(path.join(work, 'package'), dir);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (versionOf(bin) !== `v${AXON_NODE_VERSION}`) fail(`${bin} does not run on this machine; install Node ${AXON_NODE_MAJOR} (https://nodejs.org)`);
  say(`Node ${AXON_NODE_VERSION} cached at ${dir}`);
  return runtimeOf(bin, `v${AXON_NODE_VERSION}`);
}

/** The environment for anything Axon starts: its Node first on PATH, native addons built against its headers. */
export function runtimeEnv(runtime, env = process.env) {
  return {
    ...env,
    PATH: `${runtime.binDir}${path.delimiter}${env.PATH ?? ''}`,
    ...(runtime.headersDir && { npm_config_nodedir: runtime.headersDir }),
  };
}
