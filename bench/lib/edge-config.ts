import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The edge-cache configuration Axon ships; the origin benchmark measures it as it is. */
export const EDGE_CONFIG_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'nginx', 'axon-edge.conf');

export interface EdgeSettings {
  /** Directory of the cache. */
  cacheDir: string;
  /** host:port of the Axon origin. */
  origin: string;
  /** host:port nginx listens on. */
  listen: string;
}

/** Sets the value on the one line marked `# [marker]`; throws if the file has no such line (it changed). */
function setMarked(text: string, marker: string, pattern: RegExp, value: string): string {
  const lines = text.split('\n');
  const marked = lines.filter((l) => l.includes(`# [${marker}]`));
  if (marked.length !== 1 || !pattern.test(marked[0]!)) {
    throw new Error(`${EDGE_CONFIG_FILE} has no single "# [${marker}]" line matching ${pattern}: update bench/lib/edge-config.ts`);
  }
  return lines.map((l) => (l === marked[0] ? l.replace(pattern, value) : l)).join('\n');
}

/** The shipped configuration with the three deployment-specific values (the lines marked [cache], [origin], [listen]) set. */
export function edgeConfig(shipped: string, s: EdgeSettings): string {
  let text = setMarked(shipped, 'cache', /proxy_cache_path \S+/, `proxy_cache_path ${s.cacheDir}`);
  text = setMarked(text, 'origin', /server \S+;/, `server ${s.origin};`);
  text = setMarked(text, 'listen', /listen \S+;/, `listen ${s.listen};`);
  return text;
}

export function readEdgeConfig(s: EdgeSettings): string {
  return edgeConfig(fs.readFileSync(EDGE_CONFIG_FILE, 'utf8'), s);
}
