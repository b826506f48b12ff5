import fs, { type FileHandle } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import parseRange from 'range-parser';

/** A regular file held open, so what is stat'ed is what is sent even if the path is replaced meanwhile. */
export interface OpenFile {
  handle: FileHandle;
  size: number;
  mtimeMs: number;
  etag: string;
}

const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP']);

/** Opens a regular file for sending; undefined when there is none at that path. */
export async function openFile(absPath: string): Promise<OpenFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await fs.open(absPath, 'r');
  } catch (err) {
    if (MISSING.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
  try {
    const stat = await handle.stat({ bigint: true });
    if (!stat.isFile()) {
      await handle.close();
      return undefined;
    }
    // Nanosecond mtime: a live playlist rewritten twice in one millisecond still gets a new ETag.
    return {
      handle,
      size: Number(stat.size),
      mtimeMs: Number(stat.mtimeNs / 1_000_000n),
      etag: `"${stat.size.toString(16)}-${stat.mtimeNs.toString(16)}"`,
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

export interface FileHeaders {
  contentType: string;
  cacheControl: string;
}

/**
 * Sends an open file with validators (ETag, Last-Modified), conditional requests (304), byte ranges
 * (206/416) and HEAD. Takes ownership of the handle: it is closed whatever happens.
 */
export function sendFile(request: FastifyRequest, reply: FastifyReply, file: OpenFile, headers: FileHeaders): FastifyReply {
  reply
    .header('ETag', file.etag)
    .header('Last-Modified', new Date(file.mtimeMs).toUTCString())
    .header('Cache-Control', headers.cacheControl)
    .header('Accept-Ranges', 'bytes');

  if (isNotModified(request, file)) return finish(reply.code(304), file);

  let start = 0;
  let end = file.size - 1;
  const range = request.headers.range;
  if (range !== undefined && ifRangeHolds(request.headers['if-range'], file)) {
    const ranges = parseRange(file.size, range, { combine: true });
    if (ranges === -1) return finish(reply.code(416).header('Content-Range', `bytes */${file.size}`), file);
    // A malformed Range, another unit, or several disjoint ranges: the whole file is a valid answer (RFC 9110 §14.2).
    const only = ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1 ? ranges[0] : undefined;
    if (only) {
      start = only.start;
      end = only.end;
      reply.code(206).header('Content-Range', `bytes ${start}-${end}/${file.size}`);
    }
  }
  reply.header('Content-Type', headers.contentType).header('Content-Length', end - start + 1);
  if (request.method === 'HEAD' || file.size === 0) return finish(reply, file);
  return reply.send(file.handle.createReadStream({ start, end }));
}

function finish(reply: FastifyReply, file: OpenFile): FastifyReply {
  void file.handle.close();
  return reply.send();
}

function isNotModified(request: FastifyRequest, file: OpenFile): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => weakEquals(tag.trim(), file.etag));
  }
  const since = request.headers['if-modified-since'];
  return since !== undefined && unchangedSince(file, since);
}

function ifRangeHolds(ifRange: string | string[] | undefined, file: OpenFile): boolean {
  if (ifRange === undefined) return true;
  if (Array.isArray(ifRange)) return false;
  const value = ifRange.trim();
  // Strong comparison: a weak tag never matches.
  if (value.startsWith('"') || value.startsWith('W/')) return value === file.etag;
  return unchangedSince(file, value);
}

/**
 * HTTP dates have one-second resolution while a live playlist changes within a second. Comparing the
 * full-precision mtime means a file rewritten in the same second as the date is never called unchanged.
 */
function unchangedSince(file: OpenFile, httpDate: string): boolean {
  const date = Date.parse(httpDate);
  return !Number.isNaN(date) && file.mtimeMs <= date;
}

const weakEquals = (a: string, b: string) => a.replace(/^W\//, '') === b.replace(/^W\//, '');
