/**
 * The livestream id of a page served at /<page>/<id> (the server routes /studio/:id, /watch/:id and
 * /embed/:id to their HTML pages), or null when the path has none.
 */
export function livestreamIdFromPath(pathname: string): string | null {
  const match = /^\/[^/]+\/([^/]+)\/?$/.exec(pathname);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

/** Reads `key` from a `#key=...` fragment (the dashboard's "Go live from browser" link). */
export function streamKeyFromHash(hash: string): string | null {
  const key = new URLSearchParams(hash.replace(/^#/, '')).get('key');
  return key ? key : null;
}
