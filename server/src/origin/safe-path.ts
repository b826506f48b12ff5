const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const MAX_DEPTH = 8;

/**
 * Splits the still-encoded tail of a URL path into file-name segments, or undefined when any segment
 * could step outside the directory it is joined to. Decoding happens here, one segment at a time, so an
 * encoded slash, backslash, NUL or `..` is seen for what it is. Only plain names pass: letters, digits,
 * `.`, `_`, `-`, never starting with a dot (no `..`, no hidden or temporary files).
 */
export function parseSafeRelativePath(encodedPath: string): string[] | undefined {
  const parts = encodedPath.split('/');
  if (parts.length > MAX_DEPTH) return undefined;
  const segments: string[] = [];
  for (const part of parts) {
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if (!SEGMENT.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

/** The path part of a request URL, without query string or fragment. */
export function pathOfUrl(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
