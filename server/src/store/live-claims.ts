import type { Database, Statement } from 'better-sqlite3';
import { isRunning, type ProcessOwner } from '../process-owner.js';

/**
 * Which process broadcasts each livestream, shared by every Axon process on one AXON_DATA_DIR. A claim
 * whose process no longer runs (killed, crashed) is stale: anyone may take it over.
 */
export class LiveClaims {
  private readonly statements: {
    get: Statement<[string], { owner: string }>;
    put: Statement<[string, string, string]>;
    drop: Statement<[string, string]>;
  };
  private readonly claimTx: (livestreamId: string) => boolean;

  constructor(
    db: Database,
    private readonly self: ProcessOwner,
  ) {
    this.statements = {
      get: db.prepare('SELECT owner FROM live_claims WHERE livestream_id = ?'),
      put: db.prepare(
        'INSERT INTO live_claims (livestream_id, owner, claimed_at) VALUES (?, ?, ?) ON CONFLICT (livestream_id) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at',
      ),
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

  /** Gives back this process's claim (another process's claim is left alone). */
  release(livestreamId: string): void {
    this.statements.drop.run(livestreamId, this.self);
  }

  /** Whether another process that still runs holds the livestream. */
  heldElsewhere(livestreamId: string): boolean {
    const owner = this.statements.get.get(livestreamId)?.owner;
    return owner !== undefined && owner !== this.self && isRunning(owner);
  }
}
