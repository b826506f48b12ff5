import type { Database, Statement } from 'better-sqlite3';
import type { LivestreamStatus } from '../../../shared/livestream.js';
import { isRunning, type ProcessOwner } from '../process-owner.js';

/**
 * Which process broadcasts each livestream, shared by every Axon process on one AXON_DATA_DIR. A claim
 * whose process no longer runs (killed, crashed) is stale: anyone may take it over.
 */
export class LiveClaims {
  private readonly statements: {
    get: Statement<[string], { owner: string; playable: 0 | 1 }>;
    put: Statement<[string, string, string]>;
    markPlayable: Statement<[string, string]>;
    drop: Statement<[string, string]>;
  };
  private readonly claimTx: (livestreamId: string) => boolean;

  constructor(
    db: Database,
    private readonly self: ProcessOwner,
  ) {
    this.statements = {
      get: db.prepare('SELECT owner, playable FROM live_claims WHERE livestream_id = ?'),
      put: db.prepare(
        'INSERT INTO live_claims (livestream_id, owner, claimed_at) VALUES (?, ?, ?) ON CONFLICT (livestream_id) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at, playable = 0',
      ),
      markPlayable: db.prepare('UPDATE live_claims SET playable = 1 WHERE livestream_id = ? AND owner = ?'),
      drop: db.prepare('DELETE FROM live_claims WHERE livestream_id = ? AND owner = ?'),
    };
    const claim = db.transaction((livestreamId: string) => {
      if (this.heldElsewhere(livestreamId)) return false;
      this.statements.put.run(livestreamId, this.self, new Date().toISOString());
      return true;
    });
    // IMMEDIATE: two processes claiming at once are serialised by SQLite's write lock, so one of them sees the other's claim.
    this.claimTx = (livestreamId) => claim.immediate(livestreamId);
  }

  /** Takes the livestream for this process; false when another running process holds it. */
  claim(livestreamId: string): boolean {
    return this.claimTx(livestreamId);
  }

  /** Marks this process's claim playable: its broadcast's first segments are published. */
  markPlayable(livestreamId: string): void {
    this.statements.markPlayable.run(livestreamId, this.self);
  }

  /** Gives back this process's claim (another process's claim is left alone). */
  release(livestreamId: string): void {
    this.statements.drop.run(livestreamId, this.self);
  }

  /** Whether another process that still runs holds the livestream. */
  heldElsewhere(livestreamId: string): boolean {
    return this.statusElsewhere(livestreamId) !== undefined;
  }

  /** The status of the livestream's broadcast in another process that still runs; undefined when none holds it. */
  statusElsewhere(livestreamId: string): Exclude<LivestreamStatus, 'offline'> | undefined {
    const claim = this.statements.get.get(livestreamId);
    if (!claim || claim.owner === this.self || !isRunning(claim.owner)) return undefined;
    return claim.playable ? 'live' : 'starting';
  }
}
