import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** Helmet's middleware: sets headers on the raw response, then calls `next`. */
type HeaderSetter = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export interface SecurityHeaders {
  /** For API, WHIP/WHEP and every other non-page answer: nothing in them is meant to be framed or run. */
  readonly api: HeaderSetter;
  /** For the dashboard, studio and watch pages: framed by Axon's own pages only. */
  readonly page: HeaderSetter;
  /** For the embed page: framed by any site. */
  readonly embed: HeaderSetter;
}

const YEAR_S = 365 * 24 * 3600;

/**
 * Headers every page and API answer carries, built once (helmet assembles its header values when called,
 * so calling it per request would redo that work on every answer). HSTS only when Axon itself serves TLS:
 * sent over plain HTTP it would be ignored, and behind a TLS proxy the proxy decides.
 */
export function securityHeaders(o: { tls: boolean; publicUrl: string; nodeOrigins?: () => readonly string[] }): SecurityHeaders {
  const common = {
    // Not for subdomains: the operator's other services on the same domain are not Axon's to pin to HTTPS.
    strictTransportSecurity: o.tls ? { maxAge: YEAR_S, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    // The API, recordings and WHEP are meant to be used by other sites' players and tools (with CORS).
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
  } satisfies HelmetOptions;
  // The player fetches manifests from AXON_PUBLIC_URL, which may name this server differently from the page's address.
  const publicOrigin = new URL(o.publicUrl).origin;
  // In a cluster a page also talks to other nodes: the studio continues on the node placement chose
  // (`moved`, Socket.IO over a WebSocket, which Chromium does not let an https: source cover), and a WHEP
  // viewer's offer follows the 307 to the hosting node. Their origins, read per answer.
  const nodeOrigins = o.nodeOrigins;
  const nodeSources = () =>
    (nodeOrigins?.() ?? [])
      .filter((origin) => /^https?:\/\/[\w.:[\]-]+$/.test(origin))
      .flatMap((origin) => [origin, origin.replace(/^http/, 'ws')])
      .join(' ');
  const clusterSrc = nodeOrigins ? [nodeSources] : [];
  const pageCsp = (frameAncestors: string) => ({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      // MSE players (hls.js, dash.js) play from blob: URLs; hls.js runs its demuxer in a blob: worker.
      mediaSrc: ["'self'", 'blob:', publicOrigin],
      workerSrc: ["'self'", 'blob:'],
      connectSrc: ["'self'", publicOrigin, ...clusterSrc],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: [frameAncestors],
    },
  });
  return {
    api: helmet({
      ...common,
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      xFrameOptions: { action: 'deny' },
    }),
    page: helmet({ ...common, contentSecurityPolicy: pageCsp("'self'"), xFrameOptions: { action: 'sameorigin' } }),
    // X-Frame-Options cannot say "any site": frame-ancestors alone speaks for the embed.
    embed: helmet({ ...common, contentSecurityPolicy: pageCsp('*'), xFrameOptions: false }),
  };
}
