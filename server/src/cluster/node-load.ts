import type { ClusterNode } from './node-identity.js';

/** A live node and what it carries, as its last heartbeat told. */
export interface NodeLoad extends ClusterNode {
  /** Broadcasts it holds, publishers still negotiating included. */
  broadcasts: number;
  maxBroadcasts: number;
  /**
   * Its slowest broadcast's FFmpeg speed (× real time), the best of the recent samples: below real time
   * only when that broadcast stayed behind through all of them. Null without a broadcast reporting.
   */
  slowestSpeed: number | null;
}

/**
 * The speed under which a node counts as full. FFmpeg reports a live ladder that keeps up as 0.99-1.00×
 * (its clock and the input's pacing drift apart a little), so "below real time" starts a little lower.
 */
export const REAL_TIME_SPEED = 0.98;
/** Heartbeats whose speed samples count: about 10 s, so one slow moment does not turn publishers away. */
const SPEED_SAMPLES = 4;

/** Whether a node takes one more broadcast. */
export function hasRoom(load: Pick<NodeLoad, 'broadcasts' | 'maxBroadcasts' | 'slowestSpeed'>): boolean {
  return load.broadcasts < load.maxBroadcasts && (load.slowestSpeed === null || load.slowestSpeed >= REAL_TIME_SPEED);
}

/** The node with room that carries the least for its size (then the fastest); undefined when none has room. */
export function leastLoaded(nodes: readonly NodeLoad[]): NodeLoad | undefined {
  const share = (n: NodeLoad) => n.broadcasts / n.maxBroadcasts;
  return nodes
    .filter(hasRoom)
    .sort((a, b) => share(a) - share(b) || (b.slowestSpeed ?? Infinity) - (a.slowestSpeed ?? Infinity))[0];
}

/** This node's slowest broadcast speed over the last few samples. */
export class SpeedWindow {
  private readonly samples: Array<number | null> = [];

  /** Adds the slowest speed of the broadcasts reporting now (null: none reports); returns the window's verdict. */
  push(speeds: readonly number[]): number | null {
    this.samples.push(speeds.length === 0 ? null : Math.min(...speeds));
    if (this.samples.length > SPEED_SAMPLES) this.samples.shift();
    return this.current();
  }

  /** The best of the samples, each its moment's slowest; null when the latest sample had no broadcast. */
  current(): number | null {
    if ((this.samples.at(-1) ?? null) === null) return null;
    return Math.max(...this.samples.filter((s): s is number => s !== null));
  }
}
