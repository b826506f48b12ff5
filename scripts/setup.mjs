// Brings a checkout to the state `npm start` / `npm test` need, doing only what is missing or stale, then runs
// the given Node arguments on Axon's Node (scripts/node-runtime.mjs). Node built-ins only: it runs before
// node_modules exist, on whatever Node the machine has.
// usage: node scripts/setup.mjs <start|test|bench|exec> [node arguments...]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { AXON_NODE_VERSION, ensureNodeRuntime, runtimeEnv } from './node-runtime.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOG_DIR = path.join(ROOT, '.axon-setup');
/** What this script itself needs to run (fs.readdirSync's `recursive`); Axon's own Node comes from node-runtime.mjs. */
const MIN_NODE = [18, 17];
/** Upstream's installer either downloads (fails at once offline) or builds with PyPI tools and GitHub sources. */
const UPSTREAM_WORKER_TIMEOUT_MS = 120_000;

/** A Debian package and how to tell it is there without asking dpkg (binaries may come from elsewhere). */
const pkg = (name, bin) => ({ name, bin });
const MEDIA_PACKAGES = [pkg('ffmpeg', 'ffmpeg')];
const BROWSER_PACKAGES = [pkg('chromium', '/usr/bin/chromium')];
// The chat scale-out test runs a real Redis between two Axon processes; the store tests run every repository
// case against a throwaway PostgreSQL too (cluster mode's database), whose binaries Debian keeps off PATH.
const TEST_SERVICE_PACKAGES = [pkg('redis-server', 'redis-server'), pkg('postgresql', '/usr/lib/postgresql/15/bin/initdb')];
// Tests that put Axon on another host (a network namespace) with a test CA: namespaces and veth pairs,
// dropping UDP there (ICE over TCP), the certificates, and an HTTP/2 client.
const TEST_HOST_PACKAGES = [pkg('iproute2', 'ip'), pkg('nftables', 'nft'), pkg('openssl', 'openssl'), pkg('curl', 'curl')];
// References the benchmarks measure Axon against, and their load tool (`npm test` runs the benchmarks' smoke mode).
const BENCH_PACKAGES = [pkg('nginx', 'nginx'), pkg('libnginx-mod-rtmp'), pkg('wrk', 'wrk')];
// better-sqlite3 has no prebuilt binary reachable here: npm ci compiles it with node-gyp.
const NATIVE_ADDON_PACKAGES = [pkg('g++', 'g++'), pkg('make', 'make'), pkg('python3', 'python3')];
const WORKER_BUILD_PACKAGES = [
  ...['g++', 'make', 'pkg-config', 'ninja-build', 'meson'].map((n) => pkg(n)),
  ...['libssl-dev', 'libuv1-dev', 'libsrtp2-dev', 'libusrsctp-dev', 'libabsl-dev'].map((n) => pkg(n)),
  ...['flatbuffers-compiler', 'libflatbuffers-dev', 'nlohmann-json3-dev'].map((n) => pkg(n)),
];

const say = (line) => console.log(`setup: ${line}`);

function fail(message) {
  console.error(`setup: ${message}`);
  process.exit(1);
}


/** Hash of every file under the given paths (files or directories), in a stable order, names included. */
function hashTree(paths) {
  const files = [];
  for (const p of paths) {
    const abs = path.join(ROOT, p);
    if (!fs.existsSync(abs)) continue;
    if (fs.statSync(abs).isFile()) {
      files.push(p);
      continue;
    }
    for (const rel of fs.readdirSync(abs, { recursive: true })) {
      const file = path.join(p, rel);
      if (fs.statSync(path.join(ROOT, file)).isFile()) files.push(file);
    }
  }
  const h = createHash('sha256');
  for (const file of files.sort()) h.update(`${file}\0`).update(fs.readFileSync(path.join(ROOT, file))).update('\0');
  return h.digest('hex');
}

function readOr(file, fallback) {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** Runs a command with inherited output; resolves with its exit code (null when killed). */
function run(cmd, args, { cwd = ROOT, env = process.env, timeoutMs, logFile } = {}) {
  return new Promise((resolve) => {
    const out = logFile ? fs.openSync(logFile, 'w') : 'inherit';
    // Own process group, so a timeout also stops the compilers and downloaders it started.
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', out, out], detached: true });
    const timer = timeoutMs
      ? setTimeout(() => {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // it exited between the timer firing and the kill
          }
        }, timeoutMs)
      : undefined;
    child.on('error', (err) => {
      console.error(`setup: cannot run ${cmd}: ${err.message}`);
      resolve(-1);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (typeof out === 'number') fs.closeSync(out);
      resolve(code);
    });
  });
}

function showLogTail(logFile, lines = 30) {
  const text = readOr(logFile, '');
  console.error(text.split('\n').slice(-lines).join('\n'));
}

// a. Node version ---------------------------------------------------------------------------------
function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  if (!ok) fail(`Node ${MIN_NODE.join('.')} or newer is needed to set Axon up, this is ${process.version} (https://nodejs.org)`);
}

// b. Debian packages ------------------------------------------------------------------------------
let aptUpdated = false;

function missingPackages(packages) {
  const names = packages.map((p) => p.name);
  // One dpkg-query for all: it prints the known ones and skips (with exit 1) the unknown ones.
  const q = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...names], { encoding: 'utf8' });
  const installed = new Set(
    (q.stdout ?? '')
      .split('\n')
      .filter((l) => l.endsWith(' install ok installed'))
      .map((l) => l.split(' ')[0].split(':')[0]),
  );
  return packages.filter((p) => !installed.has(p.name) && !(p.bin && hasBinary(p.bin))).map((p) => p.name);
}

function hasBinary(bin) {
  if (bin.includes('/')) return isExecutable(bin);
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, bin)));
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

async function ensurePackages(packages, purpose) {
  const missing = missingPackages(packages);
  if (missing.length === 0) {
    say(`${purpose} packages present: ${packages.map((p) => p.name).join(' ')}`);
    return;
  }
  const canApt = process.getuid?.() === 0 && hasBinary('apt-get');
  if (!canApt) {
    const how = hasBinary('apt-get')
      ? `run: sudo apt-get install -y ${missing.join(' ')}`
      : `install these (Debian package names): ${missing.join(' ')}`;
    fail(`missing ${purpose} packages; ${how}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    say('apt-get update');
    if ((await run('apt-get', ['update'], { env })) !== 0) fail('apt-get update failed');
    aptUpdated = true;
  }
  say(`installing ${purpose} packages: apt-get install ${missing.join(' ')}`);
  const code = await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  if (code !== 0) fail(`apt-get install ${missing.join(' ')} failed (exit ${code})`);
}

// c. npm packages ---------------------------------------------------------------------------------
/** Native addons (better-sqlite3) are compiled for one Node ABI: the lock file and the runtime together say what is installed. */
async function ensureNodeModules(runtime) {
  const lockHash = createHash('sha256').update(fs.readFileSync(path.join(ROOT, 'package-lock.json'))).digest('hex');
  const installed = `${lockHash} node ${runtime.version}`;
  const stamp = path.join(ROOT, 'node_modules', '.axon-lock-hash');
  if (readOr(stamp, '') === installed) {
    say('npm packages up to date');
    return;
  }
  await ensurePackages(NATIVE_ADDON_PACKAGES, 'native addon build');
  say('npm ci (compiles better-sqlite3, about 2 min)');
  // mediasoup's postinstall would download its worker from GitHub; ensureMediasoupWorker() provides it instead.
  // npm itself runs on Axon's Node (first on PATH), so node-gyp builds for it, against its own headers.
  const env = runtimeEnv(runtime, { ...process.env, MEDIASOUP_WORKER_BIN: 'skip' });
  const code = await run('npm', ['ci', '--no-audit', '--no-fund'], { env });
  if (code !== 0) fail(`npm ci failed (exit ${code})`);
  fs.writeFileSync(stamp, `${installed}\n`);
}

// d. mediasoup worker -----------------------------------------------------------------------------
/** The worker exits 41 when started without MEDIASOUP_VERSION: proof that it loads and runs on this host. */
function workerRuns(bin) {
  if (!isExecutable(bin)) return false;
  const env = { ...process.env };
  delete env.MEDIASOUP_VERSION;
  return spawnSync(bin, [], { env, stdio: 'ignore', timeout: 10_000 }).status === 41;
}

function installWorker(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  fs.copyFileSync(from, tmp);
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, to);
}

async function ensureMediasoupWorker(runtime) {
  const msDir = path.join(ROOT, 'node_modules', 'mediasoup');
  const version = JSON.parse(fs.readFileSync(path.join(msDir, 'package.json'), 'utf8')).version;
  const workerBin = path.join(msDir, 'worker', 'out', 'Release', 'mediasoup-worker');
  if (workerRuns(workerBin)) {
    say(`mediasoup-worker ${version} present`);
    return;
  }

  const recipeHash = hashTree(['scripts/mediasoup']).slice(0, 12);
  const cacheRoot = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const cached = path.join(cacheRoot, 'axon', `mediasoup-worker-${version}-${recipeHash}`);
  // The recipe also leaves a copy in the checkout's .mediasoup/ (survives npm ci, which wipes node_modules).
  const localBuild = path.join(ROOT, '.mediasoup', `mediasoup-worker-${version}`);
  for (const candidate of [cached, localBuild]) {
    if (workerRuns(candidate)) {
      say(`mediasoup-worker ${version} from ${candidate}`);
      installWorker(candidate, workerBin);
      saveToCache(workerBin, cached);
      return;
    }
  }

  fs.mkdirSync(LOG_DIR, { recursive: true });
  const upstreamLog = path.join(LOG_DIR, 'mediasoup-upstream.log');
  say(`mediasoup-worker ${version}: trying mediasoup's prebuilt download (log: ${path.relative(ROOT, upstreamLog)})`);
  // Offline, its fallback build fails in pip; without pip's retries (30 s of back-off) it fails in seconds.
  const env = runtimeEnv(runtime, { ...process.env, PIP_RETRIES: '0', PIP_TIMEOUT: '10', PIP_DEFAULT_TIMEOUT: '10' });
  delete env.MEDIASOUP_WORKER_BIN;
  await run(runtime.bin, ['npm-scripts.mjs', 'postinstall'], {
    cwd: msDir,
    env,
    timeoutMs: UPSTREAM_WORKER_TIMEOUT_MS,
    logFile: upstreamLog,
  });
  if (!workerRuns(workerBin)) {
    // Drop what the failed attempt left (pip tools, half a build) so the recipe copies the tree npm installed.
    for (const leftover of ['out', 'pip_invoke', 'prebuild']) {
      fs.rmSync(path.join(msDir, 'worker', leftover), { recursive: true, force: true });
    }
    await ensurePackages(WORKER_BUILD_PACKAGES, 'mediasoup-worker build');
    const buildLog = path.join(LOG_DIR, 'mediasoup-build.log');
    say(`mediasoup-worker ${version}: no prebuilt, building from source (4-10 min, log: ${path.relative(ROOT, buildLog)})`);
    const code = await run('bash', ['scripts/mediasoup/build-mediasoup-worker.sh', '.'], { logFile: buildLog });
    if (code !== 0 || !workerRuns(workerBin)) {
      showLogTail(buildLog);
      fail(`building mediasoup-worker failed (exit ${code}); full log: ${buildLog}`);
    }
  }
  saveToCache(workerBin, cached);
}

function saveToCache(workerBin, cached) {
  if (workerRuns(cached)) return;
  try {
    installWorker(workerBin, cached);
    say(`mediasoup-worker cached at ${cached}`);
  } catch (err) {
    // A read-only home only costs the next fresh clone a rebuild.
    say(`could not cache mediasoup-worker (${err.message})`);
  }
}

// e. client bundle --------------------------------------------------------------------------------
async function ensureClientBuild(runtime) {
  if (!fs.existsSync(path.join(ROOT, 'vite.config.ts'))) {
    say('client build skipped: no vite.config.ts yet');
    return;
  }
  const outDir = path.join(ROOT, 'dist', 'client');
  const stamp = path.join(outDir, '.axon-build-hash');
  const hash = hashTree(['client', 'shared', 'vite.config.ts', 'package-lock.json']);
  if (readOr(stamp, '') === hash) {
    say('client bundle up to date');
    return;
  }
  say('building the client (vite build)');
  const code = await run(runtime.bin, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { env: runtimeEnv(runtime) });
  if (code !== 0) fail(`vite build failed (exit ${code})`);
  fs.writeFileSync(stamp, `${hash}\n`);
}

// -------------------------------------------------------------------------------------------------
const [mode, ...command] = process.argv.slice(2);
if (!['start', 'test', 'bench', 'exec'].includes(mode)) fail('usage: node scripts/setup.mjs <start|test|bench|exec> [node arguments...]');

checkNode();
const runtime = ensureNodeRuntime({ say, fail });
say(`node ${runtime.version} (${runtime.bin === process.execPath ? 'this one' : `Axon's own, Node ${AXON_NODE_VERSION}`})`);
if (mode !== 'exec') {
  // Playwright drives the system Chromium (never a downloaded one): tests need it, `npm start` does not.
  const testing = [...MEDIA_PACKAGES, ...BROWSER_PACKAGES, ...TEST_SERVICE_PACKAGES, ...TEST_HOST_PACKAGES, ...BENCH_PACKAGES];
  await ensurePackages({ start: MEDIA_PACKAGES, test: testing, bench: testing }[mode], 'system');
}
// `exec` runs one tool (lint, vitest, vite...): it needs the npm packages and a worker that `npm ci` may have
// just removed, not the system packages or the client bundle of the full modes.
await ensureNodeModules(runtime);
await ensureMediasoupWorker(runtime);
if (mode !== 'exec') await ensureClientBuild(runtime);
if (command.length > 0) {
  // The rest of the command line runs on Axon's Node, and so does everything it starts (PATH).
  const child = spawn(runtime.bin, command, { cwd: ROOT, stdio: 'inherit', env: runtimeEnv(runtime) });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => fail(`cannot run ${runtime.bin}: ${err.message}`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
