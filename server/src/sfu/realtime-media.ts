import type { types } from 'mediasoup';

/** A broadcast as the SFU holds it: what real-time (WHEP) viewers consume. */
export interface RealtimeMedia {
  readonly router: types.Router;
  readonly video: types.Producer;
  readonly audio?: types.Producer;
}
