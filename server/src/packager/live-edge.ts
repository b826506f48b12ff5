import { EventEmitter } from 'node:events';
import type { GrowingSegment } from './growing-segment.js';

/** Where a rendition's LL-HLS playlist ends: what blocking reloads are answered by. */
export interface EdgePosition {
  /** Media sequence number of the newest segment, complete or being written. */
  lastMsn: number;
  /** Index of the newest part in that segment; undefined when it lists none. */
  lastPart: number | undefined;
  /** Media sequence number of the newest complete segment. */
  completeMsn: number;
}

export interface EdgePlaylist {
  /** The whole playlist, and the delta update that skips its older segments (`_HLS_skip=YES`). */
  full: string;
  delta: string;
  position: EdgePosition;
  targetDurationS: number;
  partTargetS: number;
  /**
   * It lists a complete segment. Until then it lists the first parts alone, which LL-HLS players
   * asking for a part read but standard players (and hls.js) take for an empty playlist.
   */
  listsSegment: boolean;
}

interface EdgeEvents {
  /** New parts or segments: the playlists and the growing segments changed. */
  update: [];
  /** The broadcast ended or stopped: what is on disk is all there is. */
  closed: [];
}

/**
 * A live broadcast's newest media, in memory: each rendition's current LL-HLS playlist and the segments
 * being written. The packager publishes into it as FFmpeg writes; the origin answers held playlist
 * requests and growing-segment requests from it, so a thousand viewers waiting for the next part cost
 * no disk read each.
 */
export class LiveEdge extends EventEmitter<EdgeEvents> {
  private playlists = new Map<string, EdgePlaylist>();
  private segments = new Map<string, GrowingSegment>();
  private upcoming: ReadonlySet<string> = new Set();
  private isClosed = false;

  constructor() {
    super();
    // Every held request listens here.
    this.setMaxListeners(0);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  publish(playlists: Map<string, EdgePlaylist>, segments: Map<string, GrowingSegment>, upcoming: ReadonlySet<string>): void {
    if (this.isClosed) return;
    this.playlists = playlists;
    this.segments = segments;
    this.upcoming = upcoming;
    this.emit('update');
  }

  /** A media playlist by its name in the livestream's root ("720p.m3u8"). */
  playlist(name: string): EdgePlaylist | undefined {
    return this.playlists.get(name);
  }

  /** A segment being written (or about to start), by its path from the livestream's root. */
  segment(relPath: string): GrowingSegment | undefined {
    return this.segments.get(relPath);
  }

  /**
   * A segment announced to LL-DASH players that FFmpeg has not started yet (the one after the segment being
   * written, by path from the livestream's root): a request for it is held until it starts.
   */
  expects(relPath: string): boolean {
    return this.upcoming.has(relPath);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.playlists = new Map();
    this.segments = new Map();
    this.upcoming = new Set();
    this.emit('closed');
  }
}

/** The live edges of the broadcasts this process packages, by livestream root directory. */
export class LiveEdges {
  private readonly edges = new Map<string, LiveEdge>();

  register(root: string, edge: LiveEdge): void {
    this.edges.get(root)?.close();
    this.edges.set(root, edge);
  }

  unregister(root: string, edge: LiveEdge): void {
    if (this.edges.get(root) === edge) this.edges.delete(root);
    edge.close();
  }

  get(root: string): LiveEdge | undefined {
    return this.edges.get(root);
  }
}

/**
 * The process's edges: packager and origin meet here without a wire through the composition root. Keys
 * are absolute directories, so servers sharing one process (as tests do) never see each other's.
 */
export const LIVE_EDGES = new LiveEdges();
