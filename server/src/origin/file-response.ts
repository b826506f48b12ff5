import fs, { type FileHandle } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import parseRange from 'range-parser';

/** One version of a file: what its validators (ETag, Last-Modified) and Content-Length are made of. */
export interface FileVersion {
  size: number;
  mtimeMs: number;
  etag: string;
  /** mtime as an HTTP date. */
  lastModified: string;
}

/** A regular file held open, so what is stat'ed is what is sent even if the path is replaced meanwhile. */
export interface OpenFile extends FileVersion {
  handle: FileHandle;
}

/** A file's whole content, read once and kept in memory. */
export interface BufferedFile extends FileVersion {
  body: Buffer;
}

export type ServableFile = OpenFile | BufferedFile;

/** The errors that mean "there is no file at that path". */
export const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP']);

interface StatTimes {
  size: bigint;
  mtimeNs: bigint;
}

/** Size and nanosecond mtime: a live playlist rewritten twice in one millisecond still gets a new ETag. */
export const etagOf = (stat: StatTimes) => `"${stat.size.toString(16)}-${stat.mtimeNs.toString(16)}"`;

function fileVersion(stat: StatTimes): FileVersion {
  const mtimeMs = Number(stat.mtimeNs / 1_000_000n);
  return {
    size: Number(stat.size),
    mtimeMs,
    etag: etagOf(stat),
    lastModified: new Date(mtimeMs).toUTCString(),
  };
}

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
    return { handle, ...fileVersion(stat) };
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
 * Sends a file (open or in memory) with validators (ETag, Last-Modified), conditional requests (304),
 * byte ranges (206/416) and HEAD. Takes ownership of an open file's handle: it is closed whatever happens.
 */
export function sendFile(request: FastifyRequest, reply: FastifyReply, file: ServableFile, headers: FileHeaders): FastifyReply {
  reply
    .header('ETag', file.etag)
    .header('Last-Modified', file.lastModified)
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
  if ('body' in file) return reply.send(start === 0 && end === file.size - 1 ? file.body : file.body.subarray(start, end + 1));
  return reply.send(file.handle.createReadStream({ start, end }));
}

function finish(reply: FastifyReply, file: ServableFile): FastifyReply {
  if ('handle' in file) void file.handle.close();
  return reply.send();
}

function isNotModified(request: FastifyRequest, file: FileVersion): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => weakEquals(tag.trim(), file.etag));
  }
  const since = request.headers['if-modified-since'];
  return since !== undefined && unchangedSince(file, since);
}

function ifRangeHolds(ifRange: string | string[] | undefined, file: FileVersion): boolean {
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
function unchangedSince(file: FileVersion, httpDate: string): boolean {
  const date = Date.parse(httpDate);
  return !Number.isNaN(date) && file.mtimeMs <= date;
}

const weakEquals = (a: string, b: string) => a.replace(/^W\//, '') === b.replace(/^W\//, '');
