import { PublishRefusedError } from '../session/publish-refused.js';
import { AtCapacityError } from '../session/session-registry.js';
import { hasRoom } from './node-load.js';
import type { NodeRegistry } from './node-registry.js';

/** What placement needs of this node's sessions. */
export interface LocalBroadcasts {
  readonly size: number;
  readonly maxBroadcasts: number;
}

/** A studio publish this node has no room for, sent to the node that has. */
export class PlacedElsewhereError extends PublishRefusedError {
  constructor(readonly nodeUrl: string) {
    super('moved', 'This server is full: the studio continues on another one');
  }
}

/**
 * Where a WebRTC publish (studio or WHIP) goes: here while this node has room (broadcasts under
 * AXON_MAX_BROADCASTS, FFmpeg at real time), otherwise the least-loaded node that has some. RTMP is not
 * placed: an encoder stays on the node it reached.
 */
export class IngestPlacement {
  constructor(
    private readonly local: LocalBroadcasts,
    private readonly nodes: NodeRegistry,
  ) {}

  /** Undefined: publish here. A URL: the base URL of the node to publish to. Throws AtCapacityError when no node has room. */
  async elsewhere(): Promise<string | undefined> {
    const { size, maxBroadcasts } = this.local;
    if (hasRoom({ broadcasts: size, maxBroadcasts, slowestSpeed: this.nodes.self.slowestSpeed })) return undefined;
    const other = await this.nodes.placeElsewhere();
    if (!other) throw new AtCapacityError(maxBroadcasts);
    return other.url;
  }
}
