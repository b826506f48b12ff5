import type { ChatAuth } from '../../../shared/chat.js';
import { HttpError } from '../http/http-error.js';
import type { PublishAuthorizer } from '../session/publish-auth.js';

/**
 * What chat needs of the HTTP API's AdminAuth: its check of an `Authorization: Bearer` header, of which
 * a request has nothing else to read. AdminAuth satisfies it as it is.
 */
export interface ApiTokenCheck {
  isAdmin(request: { headers: { authorization?: string } }): boolean;
}

export type ChatRole = 'moderator' | 'viewer' | 'forbidden';

/**
 * The role a connection's handshake credentials give it in one livestream: no credential makes a viewer;
 * the livestream's stream key or the API token makes a moderator; any wrong credential is refused rather
 * than quietly demoted, so a studio with a stale key finds out.
 */
export async function chatRole(auth: ChatAuth, livestreamId: string, livestreams: PublishAuthorizer, apiToken: ApiTokenCheck): Promise<ChatRole> {
  if (auth.streamKey === undefined && auth.token === undefined) return 'viewer';
  // A disabled livestream refuses publishes only: its streamer still moderates its chat.
  const keyOk = auth.streamKey === undefined || ['ok', 'disabled'].includes(await livestreams.authorizePublish(livestreamId, auth.streamKey));
  const tokenOk = auth.token === undefined || isApiToken(auth.token, apiToken);
  return keyOk && tokenOk ? 'moderator' : 'forbidden';
}

function isApiToken(token: string, check: ApiTokenCheck): boolean {
  try {
    return check.isAdmin({ headers: { authorization: `Bearer ${token}` } });
  } catch (err) {
    if (err instanceof HttpError) return false;
    throw err;
  }
}
