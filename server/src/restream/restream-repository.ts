/** A restream target as stored, with its whole stream key. */
export interface RestreamRecord {
  id: string;
  livestreamId: string;
  name: string;
  url: string;
  streamKey: string;
  enabled: boolean;
  createdAt: string;
}

export interface RestreamChanges {
  name?: string | undefined;
  url?: string | undefined;
  streamKey?: string | undefined;
  enabled?: boolean | undefined;
}

/**
 * Every read and write of restream targets. Asynchronous, so that a database with a network between it
 * and Axon can implement it beside SQLite. A livestream's targets go with it when it is deleted.
 */
export interface RestreamRepository {
  /** Stores a target unless its livestream has `max` already (false then). */
  create(target: RestreamRecord, max: number): Promise<boolean>;
  /** A livestream's targets, oldest first. */
  list(livestreamId: string): Promise<RestreamRecord[]>;
  get(livestreamId: string, id: string): Promise<RestreamRecord | undefined>;
  update(livestreamId: string, id: string, changes: RestreamChanges): Promise<RestreamRecord | undefined>;
  delete(livestreamId: string, id: string): Promise<boolean>;
}
