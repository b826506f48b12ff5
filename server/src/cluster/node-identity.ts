import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** One Axon process as the other nodes know it. */
export interface ClusterNode {
  /** Stable across restarts: a restarted node takes back leases it still holds instead of waiting for them to expire. */
  readonly id: string;
  /** AXON_NODE_URL: where other nodes, the edge and redirected clients reach it. */
  readonly url: string;
}

const ID_PATTERN = /^[0-9a-f]{16}$/;

/**
 * This node's id, kept in AXON_DATA_DIR. Several nodes may share one data directory (processes on one
 * host), so the file is named after the node's URL: each keeps its own id, and a node keeps it across
 * restarts for as long as its URL stays the same.
 */
export function loadClusterNode(dataDir: string, url: string): ClusterNode {
  const name = createHash('sha256').update(url).digest('hex').slice(0, 12);
  const file = path.join(dataDir, 'nodes', `${name}.id`);
  try {
    const id = fs.readFileSync(file, 'utf8').trim();
    if (ID_PATTERN.test(id)) return { id, url };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = randomBytes(8).toString('hex');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${id}\n`);
  return { id, url };
}
