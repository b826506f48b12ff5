import type { Recording } from '../../../shared/recording.js';
import type { LiveSession } from '../session/stream-session.js';
import type { FinishedRecording } from '../store/recording-repository.js';
import type { EmitWebhookEvent } from './webhook-service.js';

/**
 * Publishes a broadcast's `livestream.started` when it becomes playable and, for a broadcast that did,
 * `livestream.ended` with the reason when it ends: a receiver sees each start matched by one end. Each
 * health warning that appears is a `livestream.health.warning`.
 */
export function announceBroadcast(session: LiveSession & { broadcastId: string; startedAt: Date }, emit: EmitWebhookEvent): void {
  const broadcast = { livestreamId: session.livestreamId, broadcastId: session.broadcastId };
  const startedAt = session.startedAt.toISOString();
  let started = false;
  session.on('state', (state) => {
    if (state !== 'live' || started) return;
    started = true;
    emit('livestream.started', { ...broadcast, protocol: session.protocol, startedAt });
  });
  session.on('warning', (w) => emit('livestream.health.warning', { ...broadcast, code: w.code, warning: w.message }));
  session.once('ended', (reason) => {
    if (started) emit('livestream.ended', { ...broadcast, reason, startedAt, endedAt: new Date().toISOString() });
  });
}

/** Publishes `recording.ready` for a recording the library has just made replayable (`view`: as the API shows it). */
export function announceRecording(recording: FinishedRecording, view: Recording, emit: EmitWebhookEvent): void {
  emit('recording.ready', { livestreamId: recording.livestreamId, ...view });
}
