// Runs every check as one suite each (lint, unit + integration, end-to-end, the benchmarks' smoke run),
// keeps going after a failure, and ends with one line summing them all: `N passed, N failed[, N skipped]`.
// Exit 1 when anything failed.
// usage: node scripts/test.mjs   (after `node scripts/setup.mjs test`; `npm test` does both)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORT_DIR = path.join(ROOT, 'test-results');

const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);

function banner(title) {
  console.log(`\n=== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}`);
}

/** Runs a runner with the terminal attached; its exit code, or null when it could not start or was killed. */
function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) console.error(`cannot run ${cmd}: ${r.error.message}`);
  return r.status;
}

function readReport(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function freshReport(name) {
  fs.mkdirSync(REPORT_DIR, { recursive: true });
  const file = path.join(REPORT_DIR, name);
  fs.rmSync(file, { force: true });
  return file;
}

const result = (name, passed, failed, skipped = 0, note = '') => ({ name, passed, failed, skipped, note });

/** A runner that left no report crashed: that is one failure, whatever it managed to run. */
const crashed = (name, code) => result(name, 0, 1, 0, `crashed (exit ${code ?? 'signal'}, no report)`);

/** A runner that exits non-zero must count as failed even when its report names no failing test. */
function withExitCode(r, code) {
  if (code === 0 || r.failed > 0) return r;
  return { ...r, failed: 1, note: `exit ${code ?? 'signal'} without a failing test (see its output)` };
}

function lintCheck(name, cmd, args) {
  banner(name);
  return run(cmd, args) === 0 ? result(name, 1, 0) : result(name, 0, 1);
}

function vitest() {
  const name = 'vitest';
  banner(name);
  const report = freshReport('vitest.json');
  const code = run(bin('vitest'), [
    'run',
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  const r = readReport(report);
  if (!r) return crashed(name, code);
  // A file that fails to load, or whose beforeAll throws, reports no failing test itself (its tests show as skipped).
  const brokenFiles = r.testResults.filter(
    (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
  ).length;
  const failed = r.numFailedTests + brokenFiles;
  const note = brokenFiles > 0 ? `${brokenFiles} file(s) failed outside a test (load error or hook)` : '';
  return withExitCode(result(name, r.numPassedTests, failed, r.numPendingTests + r.numTodoTests, note), code);
}

/** Playwright starts its web server even when there is nothing to run: ask first whether any spec exists. */
function hasE2eTests() {
  const r = spawnSync(bin('playwright'), ['test', '--list', '--reporter=json'], { cwd: ROOT, encoding: 'utf8' });
  const list = (() => {
    try {
      return JSON.parse(r.stdout);
    } catch {
      return undefined;
    }
  })();
  // Anything but a clean "No tests found" (a spec that fails to load, say) is for the real run to report.
  if (!list) return true;
  const countSpecs = (suites) => suites.reduce((n, s) => n + (s.specs?.length ?? 0) + countSpecs(s.suites ?? []), 0);
  return countSpecs(list.suites ?? []) > 0 || !(list.errors ?? []).every((e) => /No tests found/.test(e.message));
}

function playwright() {
  const name = 'playwright';
  banner(name);
  if (!hasE2eTests()) {
    console.log('no e2e specs yet');
    return result(name, 0, 0, 0, 'no specs');
  }
  const report = freshReport('playwright.json');
  const env = { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report };
  const code = run(bin('playwright'), ['test', '--pass-with-no-tests', '--reporter=list,json'], env);
  const r = readReport(report);
  if (!r?.stats) return crashed(name, code);
  const { expected, unexpected, flaky, skipped } = r.stats;
  // Errors outside any test: the web server did not start, a spec file failed to load.
  const errors = r.errors?.length ?? 0;
  // Retries are off, so flaky cannot happen unless someone turns them on: then it is a failure, not a pass.
  const note = [errors > 0 ? `${errors} error(s) outside tests` : '', flaky > 0 ? `${flaky} flaky` : '']
    .filter(Boolean)
    .join(', ');
  return withExitCode(result(name, expected, unexpected + flaky + errors, skipped, note), code);
}

/**
 * The benchmarks' quick mode (`npm run bench -- --quick`): each benchmark once, short, its figures not kept.
 * It measures nothing; it keeps the benchmark scripts from rotting between full runs. One test per benchmark.
 */
function benchSmoke() {
  const name = 'bench:quick';
  banner(name);
  const report = freshReport('bench-quick.json');
  const code = run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), '--quick', '--report', report]);
  const r = readReport(report);
  if (!r) return crashed(name, code);
  const failed = r.benchmarks.filter((b) => !b.ok);
  const note = failed.map((b) => `${b.name}: ${b.error.split('\n')[0]}`).join('; ');
  return withExitCode(result(name, r.benchmarks.length - failed.length, failed.length, 0, note), code);
}

const counts = (t) => `${t.passed} passed, ${t.failed} failed${t.skipped > 0 ? `, ${t.skipped} skipped` : ''}`;

const results = [
  lintCheck('lint:tsc', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']),
  lintCheck('lint:eslint', bin('eslint'), ['.']),
  vitest(),
  playwright(),
  benchSmoke(),
];

const total = results.reduce(
  (t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }),
  { passed: 0, failed: 0, skipped: 0 },
);
banner('summary');
for (const r of results) console.log(`${r.name.padEnd(12)} ${counts(r)}${r.note ? `  (${r.note})` : ''}`);
console.log(counts(total));
process.exit(total.failed > 0 ? 1 : 0);
