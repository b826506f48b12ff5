/**
 * WHIP (RFC 9725) and WHEP: WebRTC publishing and playback with one HTTP request each. The SDP offer is
 * POSTed as SDP_CONTENT_TYPE; the 201 answer's Location is the session, which DELETE ends and PATCH
 * (SDPFRAG_CONTENT_TYPE) restarts ICE on. Errors are JSON `{ "error": "..." }` like the rest of the API.
 */
export const SDP_CONTENT_TYPE = 'application/sdp';
export const SDPFRAG_CONTENT_TYPE = 'application/trickle-ice-sdpfrag';

/** Publish with `Authorization: Bearer <streamKey>`: the livestream's `whipUrl`. */
export const whipPath = (livestreamId: string) => `/whip/${encodeURIComponent(livestreamId)}`;

/** Real-time playback, no token (livestreams are public). */
export const whepPath = (livestreamId: string) => `/whep/${encodeURIComponent(livestreamId)}`;

/** The `error` of a refusal's JSON body, or undefined when the body is not one. */
export function refusalReason(body: string): string | undefined {
  try {
    const json: unknown = JSON.parse(body);
    return json && typeof json === 'object' && 'error' in json && typeof json.error === 'string' ? json.error : undefined;
  } catch {
    return undefined;
  }
}
