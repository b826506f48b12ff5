import type { Database, Statement } from 'better-sqlite3';
import type { BroadcastClaims, BroadcastHost } from '../cluster/broadcast-claims.js';
import { isRunning, type ProcessOwner } from '../process-owner.js';

/**
 * Which process broadcasts each livestream, shared by every Axon process on one AXON_DATA_DIR. A claim
 * whose process no longer runs (killed, crashed) is stale: anyone may take it over. Processes sharing a
 * data directory share its media too, so a holder has no URL: each process serves the files itself.
 */
export class LiveClaims implements BroadcastClaims {
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
      if (this.holderElsewhere(livestreamId)) return false;
      this.statements.put.run(livestreamId, this.self, new Date().toISOString());
      return true;
    });
    // IMMEDIATE: two processes claiming at once are serialised by SQLite's write lock, so one of them sees the other's claim.
    this.claimTx = (livestreamId) => claim.immediate(livestreamId);
  }

  async claim(livestreamId: string): Promise<boolean> {
    return this.claimTx(livestreamId);
  }

  async markPlayable(livestreamId: string): Promise<void> {
    this.statements.markPlayable.run(livestreamId, this.self);
  }

  async release(livestreamId: string): Promise<void> {
    this.statements.drop.run(livestreamId, this.self);
  }

  async hostOf(livestreamId: string): Promise<BroadcastHost | undefined> {
    return this.holderElsewhere(livestreamId);
  }

  /** A claim is held as long as its process runs, which this process outlives or not at all: it is never lost. */
  onLost(): void {}

  private holderElsewhere(livestreamId: string): BroadcastHost | undefined {
    const claim = this.statements.get.get(livestreamId);
    if (!claim || claim.owner === this.self || !isRunning(claim.owner)) return undefined;
    return { nodeId: claim.owner, url: undefined, playable: claim.playable === 1 };
  }
}
