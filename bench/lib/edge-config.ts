import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The edge-cache configuration Axon ships; the origin benchmark measures it as it is. */
const DEPLOY_NGINX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'nginx');
export const EDGE_CONFIG_FILE = path.join(DEPLOY_NGINX, 'axon-edge.conf');
/** The upstream block that puts the same edge in front of a cluster's nodes. */
export const CLUSTER_UPSTREAM_FILE = path.join(DEPLOY_NGINX, 'axon-cluster-upstream.conf');
const UPSTREAM_BLOCK = /^upstream axon_origin \{\n[\s\S]*?^\}$/m;

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

/**
 * The edge in front of a cluster, as the README has operators build it: the shipped edge configuration
 * (settings as in edgeConfig) with its upstream block replaced by the cluster's, one `# [node]` line per node.
 */
export function clusterEdgeConfig(shipped: string, clusterUpstream: string, s: Omit<EdgeSettings, 'origin'> & { nodes: string[] }): string {
  const block = UPSTREAM_BLOCK.exec(clusterUpstream)?.[0];
  const nodeLine = block?.split('\n').find((l) => l.includes('# [node]'));
  if (!block || !nodeLine || !UPSTREAM_BLOCK.test(shipped)) {
    throw new Error(`${CLUSTER_UPSTREAM_FILE} or ${EDGE_CONFIG_FILE} has no upstream axon_origin block with "# [node]" lines: update bench/lib/edge-config.ts`);
  }
  const servers = s.nodes.map((node) => nodeLine.replace(/server \S+/, `server ${node}`)).join('\n');
  const upstream = block
    .split('\n')
    .filter((l) => !l.includes('# [node]') || l === nodeLine)
    .map((l) => (l === nodeLine ? servers : l))
    .join('\n');
  // The origin marker goes with the replaced block: any address satisfies edgeConfig.
  return edgeConfig(shipped, { ...s, origin: '127.0.0.1:1' }).replace(UPSTREAM_BLOCK, () => upstream);
}

export function readClusterEdgeConfig(s: Omit<EdgeSettings, 'origin'> & { nodes: string[] }): string {
  return clusterEdgeConfig(fs.readFileSync(EDGE_CONFIG_FILE, 'utf8'), fs.readFileSync(CLUSTER_UPSTREAM_FILE, 'utf8'), s);
}
