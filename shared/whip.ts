/**
 * WHIP (RFC 9725) and WHEP: WebRTC publishing and playback with one HTTP request each. The SDP offer is
 * POSTed as SDP_CONTENT_TYPE; the 201 answer's Location is the session, which DELETE ends and PATCH
 * (SDPFRAG_CONTENT_TYPE) restarts ICE on. Errors are JSON `{ "error": "..." }` like the rest of the API, with a
 * `code` when a publish is refused (shared/publish-refusal.ts). The paths are in shared/public-paths.ts.
 */
export const SDP_CONTENT_TYPE = 'application/sdp';
export const SDPFRAG_CONTENT_TYPE = 'application/trickle-ice-sdpfrag';

/** A refusal's JSON body (`{ error, code? }`, code as sent), or undefined when the body is not one. */
export function readRefusal(body: string): { error: string; code?: unknown } | undefined {
  try {
    const json: unknown = JSON.parse(body);
    return json && typeof json === 'object' && 'error' in json && typeof json.error === 'string' ? { error: json.error, code: (json as { code?: unknown }).code } : undefined;
  } catch {
    return undefined;
  }
}

/** The `error` of a refusal's JSON body, or undefined when the body is not one. */
export const refusalReason = (body: string): string | undefined => readRefusal(body)?.error;
