import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess } from './owned-process.js';
import { requireCommand } from './require-command.js';
import { median } from './stats.js';

export interface WrkOptions {
  /** http://127.0.0.1:port */
  baseUrl: string;
  /** Request paths, cycled in order by each wrk thread. */
  paths: readonly string[];
  connections: number;
  threads: number;
  durationS: number;
  /** Pause of each connection between a response and its next request; 0 is a closed loop at full speed. */
  delayMs: number;
}

export interface WrkResult {
  requests: number;
  /** How long wrk measured. */
  durationS: number;
  requestsPerS: number;
  bytesPerS: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Connect, read, write errors and timeouts. */
  socketErrors: number;
  /** Answers other than 2xx/3xx. */
  badStatus: number;
}

const MARK = 'WRK_RESULT ';

/** The Lua script: cycles the paths, paces each connection, and prints the summary as one JSON line. */
export function wrkScript(paths: readonly string[], delayMs: number): string {
  const list = paths.map((p) => JSON.stringify(p)).join(',\n  ');
  return `local paths = {
  ${list}
}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
${delayMs > 0 ? `delay = function() return ${Math.round(delayMs)} end\n` : ''}done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARK}{"requests":%d,"bytes":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"socketErrors":%d,"badStatus":%d}\\n',
    summary.requests, summary.bytes, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
`;
}

/** Parses the JSON line the script prints at the end of wrk's output. */
export function parseWrkOutput(stdout: string): WrkResult {
  const line = stdout.split('\n').find((l) => l.startsWith(MARK));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  const r = JSON.parse(line.slice(MARK.length)) as Record<string, number>;
  const seconds = r.durationUs! / 1e6;
  return {
    requests: r.requests!,
    durationS: seconds,
    requestsPerS: r.requests! / seconds,
    bytesPerS: r.bytes! / seconds,
    latencyP50Ms: r.p50Us! / 1000,
    latencyP99Ms: r.p99Us! / 1000,
    socketErrors: r.socketErrors!,
    badStatus: r.badStatus!,
  };
}

/** Slices of one measurement as one: totals over their summed duration; the median slice's p50 and p99. */
export function combineSlices(slices: readonly WrkResult[]): WrkResult {
  if (slices.length === 0) throw new Error('no slices to combine');
  const total = (pick: (r: WrkResult) => number) => slices.reduce((sum, r) => sum + pick(r), 0);
  const seconds = total((r) => r.durationS);
  return {
    requests: total((r) => r.requests),
    durationS: seconds,
    requestsPerS: total((r) => r.requests) / seconds,
    bytesPerS: total((r) => r.bytesPerS * r.durationS) / seconds,
    latencyP50Ms: median(slices.map((r) => r.latencyP50Ms)),
    latencyP99Ms: median(slices.map((r) => r.latencyP99Ms)),
    socketErrors: total((r) => r.socketErrors),
    badStatus: total((r) => r.badStatus),
  };
}

/** Runs wrk (Debian's, 4.1) against one server and returns its summary. */
export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  requireCommand('wrk', 'wrk');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-bench-wrk-'));
  try {
    const script = path.join(dir, 'viewers.lua');
    fs.writeFileSync(script, wrkScript(o.paths, o.delayMs));
    const args = ['-t', String(o.threads), '-c', String(o.connections), '-d', `${o.durationS}s`, '--timeout', '10s', '-s', script, o.baseUrl];
    const wrk = startProcess('wrk', args, { stdout: 'pipe' });
    let stdout = '';
    wrk.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await wrk.exited;
    await wrk.stop();
    if (code !== 0) throw new Error(`wrk exited with ${code}: ${wrk.errors()}${stdout}`);
    return parseWrkOutput(stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
