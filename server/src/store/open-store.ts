import type { Database } from 'better-sqlite3';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { ChatRepository, ChatRepositoryOptions } from './chat-repository.js';
import { openDatabase } from './db.js';
import type { LivestreamRepository } from './livestream-repository.js';
import { PostgresChatRepository } from './postgres/chat-repository.js';
import { openPostgres } from './postgres/database.js';
import { PostgresLivestreamRepository } from './postgres/livestream-repository.js';
import { PostgresRecordingRepository } from './postgres/recording-repository.js';
import type { RecordingRepository } from './recording-repository.js';
import { PostgresRestreamRepository } from '../restream/postgres-restream-repository.js';
import type { RestreamRepository } from '../restream/restream-repository.js';
import { SqliteRestreamRepository } from '../restream/sqlite-restream-repository.js';
import { SqliteChatRepository } from './sqlite/chat-repository.js';
import { SqliteLivestreamRepository } from './sqlite/livestream-repository.js';
import { SqliteRecordingRepository } from './sqlite/recording-repository.js';
import { PostgresWebhookRepository } from '../webhooks/postgres-webhook-repository.js';
import { SqliteWebhookRepository } from '../webhooks/sqlite-webhook-repository.js';
import type { WebhookRepository } from '../webhooks/webhook-repository.js';

/** Everything Axon stores, behind one interface whichever database holds it. */
export interface Store {
  livestreams: LivestreamRepository;
  recordings: RecordingRepository;
  chat: ChatRepository;
  /** Webhooks and their delivery queue: with PostgreSQL, one for the whole cluster. */
  webhooks: WebhookRepository;
  restreams: RestreamRepository;
  /** The embedded database, where processes sharing AXON_DATA_DIR keep their live claims; undefined with PostgreSQL. */
  sqlite: Database | undefined;
  /** Writes the chat messages still queued, then closes the database. */
  close(): Promise<void>;
}

/**
 * SQLite in `dataDir` (the embedded default: nothing to set up), or PostgreSQL when DATABASE_URL is set
 * (cluster mode: every node on one database). Either is migrated to the current schema before this resolves.
 */
export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl' | 'chatHistory'>, log: Logger): Promise<Store> {
  const chatOptions: ChatRepositoryOptions = {
    historyLimit: config.chatHistory,
    onWriteError: (error, lost) => log.error('chat messages could not be written to history', { error, lost }),
  };
  if (config.databaseUrl === undefined) {
    const db = openDatabase(config.dataDir);
    const repositories = {
      livestreams: new SqliteLivestreamRepository(db),
      recordings: new SqliteRecordingRepository(db),
      chat: new SqliteChatRepository(db, chatOptions),
      webhooks: new SqliteWebhookRepository(db),
      restreams: new SqliteRestreamRepository(db),
    };
    return withClose({ ...repositories, sqlite: db }, async () => void db.close());
  }
  const pool = await openPostgres(config.databaseUrl, log);
  const repositories = {
    livestreams: new PostgresLivestreamRepository(pool),
    recordings: new PostgresRecordingRepository(pool),
    chat: new PostgresChatRepository(pool, chatOptions),
    webhooks: new PostgresWebhookRepository(pool),
    restreams: new PostgresRestreamRepository(pool),
  };
  return withClose({ ...repositories, sqlite: undefined }, () => pool.end());
}

/** Chat holds messages back for its next batch: they are written before the database closes. */
const withClose = (store: Omit<Store, 'close'>, closeDatabase: () => Promise<void>): Store => ({
  ...store,
  close: async () => {
    await store.chat.flush();
    await closeDatabase();
  },
});
