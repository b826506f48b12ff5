// The benchmark suite: `npm run bench [-- [--quick] [--runs N] [--report FILE] [name ...]]`.
// Prints one table per benchmark and, unless --quick, writes it into bench/results/latest.md.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Benchmark, Figure } from './lib/benchmark.js';
import { installCleanupHandlers, runCleanups } from './lib/cleanup.js';
import { measureOutsideLoad } from './lib/outside-load.js';
import { writeSection } from './lib/results.js';
import { renderTable } from './lib/table.js';
import { capacity } from './capacity.js';
import { chat } from './chat.js';
import { cluster } from './cluster.js';
import { hostile } from './hostile.js';
import { ladderModes } from './ladder-modes.js';
import { latency } from './latency.js';
import { origin } from './origin.js';
import { remote } from './remote.js';
import { restream } from './restream.js';
import { spine } from './spine.js';
import { transcode } from './transcode.js';
import { glassToGlass } from './glass-to-glass.js';
import { llViewers } from './ll-viewers.js';
import { llPlayback } from './ll-playback.js';
import { webrtcKeyframes } from './webrtc-keyframes.js';
import { simulcastLadder } from './simulcast-ladder.js';

const BENCHMARKS: Benchmark[] = [spine, transcode, ladderModes, origin, latency, capacity, chat, glassToGlass, llViewers, llPlayback, remote, hostile, restream, cluster, webrtcKeyframes, simulcastLadder];
const FULL_RUNS = 3;
const RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'latest.md');

const USAGE = `usage: npm run bench -- [--quick] [--runs N] [--report FILE] [name ...]
  --quick        one short run per benchmark: proves the suite works, measures nothing (not written to results)
  --runs N       runs per benchmark (default ${FULL_RUNS}; figures are the median with min and max)
  --report FILE  also write which benchmarks ran through and which failed, as JSON (npm test reads it)
  name           only these benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}`;

/** One line of the --report file. */
interface BenchmarkOutcome {
  name: string;
  ok: boolean;
  error?: string;
}

function parseCommandLine() {
  const { values, positionals } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      report: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const runs = values.runs === undefined ? (values.quick ? 1 : FULL_RUNS) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs wants a whole number of at least 1, not "${values.runs}"`);
  const unknown = positionals.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}\n${USAGE}`);
  const selected = positionals.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => positionals.includes(b.name));
  return { quick: values.quick, runs, report: values.report, selected };
}

function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} + uncommitted changes` : commit;
  } catch {
    return 'unknown';
  }
}

/** Where and when the numbers were taken: they mean little without it. */
function describeMachine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `${new Date().toISOString()}, commit ${gitCommit()}, ${cpu} × ${os.availableParallelism()}, Node ${process.version}, load average at start ${load}`;
}

function section(b: Benchmark, figures: Figure[], runs: number, quick: boolean, machine: string, outsideCores: number): string {
  const mode = quick ? ' — QUICK smoke run, not a measurement' : '';
  // The machine is shared: whether something else ran alongside matters as much as the figures.
  const outside = `processes outside the suite kept ${outsideCores.toFixed(2)} of ${os.availableParallelism()} cores busy on average while it ran`;
  return `## ${b.name}: ${b.title}${mode}\n\n${runs} run(s); ${machine}; ${outside}.\n\n${renderTable(figures)}\n`;
}

async function main(): Promise<number> {
  installCleanupHandlers();
  const { quick, runs, report, selected } = parseCommandLine();
  const outcomes: BenchmarkOutcome[] = [];
  for (const b of selected) {
    const machine = describeMachine();
    console.log(`\n=== ${b.name}: ${b.title} (${runs} run(s)${quick ? ', quick' : ''})`);
    const outsideLoad = await measureOutsideLoad();
    try {
      const figures = await b.run({ quick, runs, log: (line) => console.log(`  ${b.name}: ${line}`) });
      const text = section(b, figures, runs, quick, machine, await outsideLoad.stop());
      console.log(`\n${text}`);
      if (!quick) writeSection(RESULTS_FILE, b.name, text);
      outcomes.push({ name: b.name, ok: true });
    } catch (err) {
      outcomes.push({ name: b.name, ok: false, error: (err as Error).message ?? String(err) });
      console.error(`\n${b.name} FAILED: ${(err as Error).stack ?? err}`);
    } finally {
      await runCleanups();
    }
  }
  if (report) fs.writeFileSync(report, `${JSON.stringify({ benchmarks: outcomes }, null, 2)}\n`);
  const failures = outcomes.filter((o) => !o.ok).length;
  if (!quick && failures < selected.length) console.log(`results written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error(`bench: ${(err as Error).message}`);
    await runCleanups();
    process.exit(2);
  },
);
