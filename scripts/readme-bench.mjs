// Copies the benchmark tables of bench/results/latest.md into the README, between its bench markers.
import fs from 'node:fs';

const latest = fs.readFileSync('bench/results/latest.md', 'utf8');
const sections = [...latest.matchAll(/<!-- bench:([\w-]+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g)].map(([, , body]) =>
  body.trim().replace(/^## [\w-]+: /, '### '),
);
if (sections.length === 0) throw new Error('bench/results/latest.md has no benchmark sections');
const readme = fs.readFileSync('README.md', 'utf8');
const start = '<!-- bench:start -->';
const end = '<!-- bench:end -->';
const from = readme.indexOf(start);
const to = readme.indexOf(end);
if (from < 0 || to < from) throw new Error('README.md has no bench markers');
fs.writeFileSync('README.md', `${readme.slice(0, from + start.length)}\n${sections.join('\n\n')}\n${readme.slice(to)}`);
console.log(`README: ${sections.length} benchmark tables from bench/results/latest.md`);
