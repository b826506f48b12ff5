import fs from 'node:fs';
import { etagOf, MISSING, openFile, type BufferedFile, type ServableFile } from './file-response.js';

export interface FileCacheOptions {
  /** Bytes of file content kept in memory; 0 turns the cache off (every request opens and reads the file). */
  maxBytes: number;
  /** Larger files are streamed from disk on every request. */
  maxFileBytes?: number;
  /** A file nobody asked for in this long leaves memory. */
  idleMs?: number;
  /** Milliseconds on a monotonic clock; tests drive it by hand. */
  now?: () => number;
}

export interface FileCacheStats {
  files: number;
  bytes: number;
  hits: number;
  misses: number;
}

/** A 2 s segment of a 4K rung at 40 Mb/s is 10 MB. */
const DEFAULT_MAX_FILE_BYTES = 16 * 2 ** 20;
/** Live viewers ask for the newest files within a segment duration or two; older ones are DVR and replay, asked rarely. */
const DEFAULT_IDLE_MS = 30_000;

interface Entry {
  file: BufferedFile;
  lastUsed: number;
}

type Loaded = BufferedFile | 'missing' | 'uncacheable';

/**
 * Files the origin served recently, kept in memory: the many viewers of a live stream ask for the same
 * playlist and the same new segment within a second, and one disk read serves them all.
 *
 * Each request still stats the path, synchronously: for a file the kernel has just served that takes
 * microseconds, less than one round trip through libuv's thread pool, and it keeps every answer exact —
 * a playlist replaced by the packager or a segment still being written has a new ETag and is read again,
 * a deleted segment is a 404 at once. The least recently used files leave first when maxBytes is reached,
 * and files nobody asked for in idleMs leave anyway, so an idle server holds no media.
 */
export class FileCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loads = new Map<string, Promise<Loaded>>();
  private readonly maxBytes: number;
  private readonly maxFileBytes: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout | undefined;
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(o: FileCacheOptions) {
    this.maxBytes = o.maxBytes;
    this.maxFileBytes = Math.min(o.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, o.maxBytes);
    this.idleMs = o.idleMs ?? DEFAULT_IDLE_MS;
    this.now = o.now ?? (() => performance.now());
    this.sweeper = o.maxBytes > 0 ? setInterval(() => this.sweep(), this.idleMs / 2).unref() : undefined;
  }

  /** The regular file at absPath, from memory when unchanged since it was read; undefined when there is none. */
  async open(absPath: string): Promise<ServableFile | undefined> {
    if (this.maxBytes === 0) return openFile(absPath);
    const stat = statRegularFile(absPath);
    const entry = this.entries.get(absPath);
    if (!stat) {
      if (entry) this.remove(absPath, entry);
      return undefined;
    }
    if (entry && entry.file.etag === etagOf(stat)) {
      this.hits++;
      // Map order is recency order: the least recently used entry is always the first.
      this.entries.delete(absPath);
      this.entries.set(absPath, entry);
      entry.lastUsed = this.now();
      return entry.file;
    }
    this.misses++;
    if (stat.size > BigInt(this.maxFileBytes)) return openFile(absPath);
    let loading = this.loads.get(absPath);
    if (!loading) {
      // Viewers asking for a new segment together wait for one read.
      loading = this.load(absPath).finally(() => this.loads.delete(absPath));
      this.loads.set(absPath, loading);
    }
    const loaded = await loading;
    if (loaded === 'missing') return undefined;
    return loaded === 'uncacheable' ? openFile(absPath) : loaded;
  }

  stats(): FileCacheStats {
    return { files: this.entries.size, bytes: this.bytes, hits: this.hits, misses: this.misses };
  }

  close(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
    this.bytes = 0;
  }

  private async load(absPath: string): Promise<Loaded> {
    const opened = await openFile(absPath);
    if (!opened) return 'missing';
    const { handle, ...version } = opened;
    try {
      if (version.size > this.maxFileBytes) return 'uncacheable';
      // Exactly the stat'ed size: a segment still being appended to is kept as the version its ETag names.
      // Unpooled: a small playlist kept for seconds must not pin a shared 8 KiB pool slab beside it.
      const body = Buffer.allocUnsafeSlow(version.size);
      for (let filled = 0; filled < body.length; ) {
        const { bytesRead } = await handle.read(body, filled, body.length - filled, filled);
        // Shorter than its stat: rewritten in place while read (Axon never does that); not worth keeping.
        if (bytesRead === 0) return 'uncacheable';
        filled += bytesRead;
      }
      const file: BufferedFile = { ...version, body };
      this.insert(absPath, file);
      return file;
    } finally {
      await handle.close();
    }
  }

  private insert(absPath: string, file: BufferedFile): void {
    const old = this.entries.get(absPath);
    if (old) this.remove(absPath, old);
    this.entries.set(absPath, { file, lastUsed: this.now() });
    this.bytes += file.size;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest, entry);
    }
  }

  /** Lets go of the files nobody asked for in idleMs; runs every idleMs / 2 by itself. */
  sweep(): void {
    const idleSince = this.now() - this.idleMs;
    for (const [path, entry] of this.entries) {
      if (entry.lastUsed > idleSince) break;
      this.remove(path, entry);
    }
  }

  private remove(absPath: string, entry: Entry): void {
    this.entries.delete(absPath);
    this.bytes -= entry.file.size;
  }
}

/** A regular file's stat, or undefined when there is none at that path. */
function statRegularFile(absPath: string): fs.BigIntStats | undefined {
  try {
    const stat = fs.statSync(absPath, { bigint: true, throwIfNoEntry: false });
    return stat?.isFile() ? stat : undefined;
  } catch (err) {
    if (MISSING.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}
