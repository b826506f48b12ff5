import fs from 'node:fs';
import path from 'node:path';

const TITLE = '# Axon benchmark results';
const INTRO =
  'The latest full (not `--quick`) run of each benchmark, written by `npm run bench`. ' +
  'Each figure is the median of its runs, with min and max; how each is measured is in [../README.md](../README.md).';

const begin = (name: string) => `<!-- bench:${name} -->`;
const end = (name: string) => `<!-- /bench:${name} -->`;

/**
 * Puts a benchmark's section into the results file, replacing that benchmark's previous section and
 * keeping the others: running one benchmark by name does not erase the rest of the suite's results.
 */
export function mergeSection(existing: string, name: string, body: string): string {
  const section = `${begin(name)}\n${body.trim()}\n${end(name)}`;
  const text = existing.trim() === '' ? `${TITLE}\n\n${INTRO}\n` : existing;
  const start = text.indexOf(begin(name));
  const stop = text.indexOf(end(name));
  if (start >= 0 && stop > start) return text.slice(0, start) + section + text.slice(stop + end(name).length);
  return `${text.trimEnd()}\n\n${section}\n`;
}

export function writeSection(file: string, name: string, body: string): void {
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, mergeSection(existing, name, body));
}
