import { randomBytes } from 'node:crypto';
import type { types } from 'mediasoup';
import { Ending } from '../ending.js';
import type { FragSection } from './sdp-frag.js';
import type { Offer } from './sdp-offer.js';

/**
 * A WHIP publish or a WHEP viewer as its HTTP resource, `<prefix>/<livestreamId>/sessions/<id>`, sees it:
 * the transport with the client's ICE credentials, and the end, which the endpoint forgets the session at.
 */
export abstract class RtcHttpSession {
  /** 128 random bits: for WHEP, knowing the session URL is what lets a viewer act on its session. */
  readonly id = randomBytes(16).toString('base64url');
  /** The client's current ICE credentials: others in a PATCH ask for an ICE restart. */
  remoteIce: types.IceParameters;
  private readonly ending = new Ending<void>();
  /** Resolves once the session is over. */
  readonly ended = this.ending.promise;

  protected constructor(
    readonly livestreamId: string,
    readonly transport: types.WebRtcTransport,
    /** The bundled sections, named in the answer to an ICE restart. */
    readonly bundle: FragSection[],
    offer: Offer,
  ) {
    this.remoteIce = offer.ice;
  }

  /** DELETE: ends the session (for WHIP, the broadcast). */
  abstract end(reason: string): Promise<void>;

  /** The session is over (the first call counts). */
  protected finish(): void {
    this.ending.end();
  }
}
