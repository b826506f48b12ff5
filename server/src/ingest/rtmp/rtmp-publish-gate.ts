import { z } from 'zod';
import { RTMP_APP } from '../../../../shared/constants.js';
import type { Logger } from '../../log.js';
import { publishAuthMessages, type StreamKeyResolver } from '../../session/publish-auth.js';
import { PublishRefusedError } from '../../session/publish-refused.js';
import type { Reservation, SessionRegistry } from '../../session/session-registry.js';
import type { LiveSession } from '../../session/stream-session.js';
import { FlvSourceProbe, type ProbeVerdict } from './flv-source-probe.js';
import { RtmpIngest } from './rtmp-ingest.js';
import type { RtmpPublish } from './rtmp-connection.js';
import { RtmpServer, type RtmpServerOptions } from './rtmp-server.js';

/** RTMP publishes name only the stream key (rtmp://host/live/<key>): the store finds the livestream by it. */
export interface RtmpIngestDeps {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** RTMPS beside RTMP: same key checks, same ingest. */
  tls?: RtmpServerOptions['tls'];
  maxConnectionsPerIp?: number;
  registry: SessionRegistry;
  keys: StreamKeyResolver;
  reconnectWindowS: number;
  log: Logger;
}

export interface RtmpIngestServer {
  readonly port: number;
  /** Undefined when RTMPS is not served. */
  readonly tlsPort: number | undefined;
  /** Stops listening, drops every RTMP connection and ends the broadcasts waiting for a publisher. */
  close(): Promise<void>;
}

/** Axon's keys are base64url; node-media-server also takes stream names only from this alphabet. */
const streamKeySchema = z.string().regex(/^[\w-]{1,256}$/);
/** A publish must show its video (and whether it has audio) within this time of asking to publish. */
const PROBE_TIMEOUT_MS = 5000;
/**
 * An encoder sends video and audio many times a second: one silent this long while its key publishes again
 * has lost its network, and the new publish (the encoder reconnecting) takes its place in the broadcast.
 */
const SILENT_PUBLISHER_MS = 3000;

/**
 * The RTMP publish gate, and the RTMP server behind it: checks each publish's application and key before
 * taking any of its media, probes what it carries, then admits it (a new broadcast, or the broadcast a
 * returning publisher dropped out of within the reconnect window) or refuses it with the reason logged.
 */
export async function startRtmpServer(deps: RtmpIngestDeps): Promise<RtmpIngestServer> {
  const log = deps.log.child('rtmp');
  /** Broadcasts published over RTMP, by livestream id. */
  const ingests = new Map<string, RtmpIngest>();

  const onPublish = (publish: RtmpPublish) => {
    void admit(publish).catch((err: unknown) => {
      log.error('the RTMP publish could not be checked', { err, remote: publish.remote });
      publish.close();
    });
  };

  const admit = async (publish: RtmpPublish) => {
    const refuse = (reason: string, fields: Record<string, unknown> = {}) => {
      log.warn(`RTMP publish refused: ${reason}`, { remote: publish.remote, ...fields });
      publish.close();
    };
    if (publish.app !== RTMP_APP) {
      // Not echoed: an encoder given the whole URL as its server sends the stream key as (part of) the application.
      return refuse(
        `the application must be "${RTMP_APP}" (in OBS: Server rtmp://<host>:<port>/${RTMP_APP}, Stream Key = the livestream's key)`,
      );
    }
    if (!publish.streamKey) return refuse('no stream key');
    const key = streamKeySchema.safeParse(publish.streamKey);
    if (!key.success) return refuse('malformed stream key');
    const found = await deps.keys.resolveStreamKey(key.data);
    // The publisher may have left during the lookup; nothing of it has been taken yet.
    if (publish.closed) return;
    if (found === undefined) return refuse('unknown stream key (wrong, rotated or deleted)');
    const { livestreamId } = found;
    const fields = { livestream: livestreamId, remote: publish.remote };
    if (found.result === 'disabled') return refuse(publishAuthMessages.disabled, fields);

    const returningTo = ingests.get(livestreamId);
    if (returningTo) {
      if (returningTo.displaceSilentPublisher(SILENT_PUBLISHER_MS)) {
        log.warn(`RTMP publisher silent for over ${SILENT_PUBLISHER_MS / 1000} s replaced by a new publish of its key`, fields);
      }
      if (!returningTo.claim()) {
        const reason = returningTo.over ? 'the previous broadcast of this livestream is still ending' : 'this livestream already has a publisher';
        return refuse(reason, fields);
      }
    }
    let reservation: Reservation | undefined;
    const reserved = async () => {
      if (returningTo) return true;
      try {
        reservation = await deps.registry.reserve(livestreamId);
        return true;
      } catch (err) {
        if (err instanceof PublishRefusedError) refuse(err.message, fields);
        else {
          // The claim is shared with other processes (a database write, a Redis lease): a failure refuses this publish only.
          log.error('RTMP publish could not reserve its livestream', { ...fields, err });
          refuse('the server could not take this publish now', fields);
        }
        return false;
      }
    };

    void reserved().then(async (ok) => {
      if (!ok) return;
      const verdict = await probe(publish);
      if (!verdict.ok) {
        reservation?.release();
        returningTo?.unclaim();
        return refuse(verdict.reason, fields);
      }
      const { video, hasAudio } = verdict.source;
      if (returningTo) {
        log.info('RTMP publisher returned', { ...fields, source: `${video.width}x${video.height}`, hasAudio });
        returningTo.attach(publish, hasAudio);
        return;
      }
      log.info('RTMP publish accepted', { ...fields, source: `${video.width}x${video.height}`, hasAudio });
      const ingest = new RtmpIngest(publish, hasAudio, {
        video,
        reconnectWindowS: deps.reconnectWindowS,
        log: log.child(livestreamId),
      });
      let session: LiveSession;
      try {
        session = await reservation!.start(ingest);
      } catch (err) {
        // Ended while it was probed (deleted, key rotated, disabled): nothing of it may stay to return to.
        void ingest.close();
        if (err instanceof PublishRefusedError) return refuse(err.message, fields);
        throw err;
      }
      ingests.set(livestreamId, ingest);
      session.once('ended', () => {
        if (ingests.get(livestreamId) === ingest) ingests.delete(livestreamId);
      });
    }).catch((err: unknown) => {
      log.error('the RTMP publish could not be started', { err, ...fields });
      publish.close();
    });
  };

  const server = await RtmpServer.listen({
    host: deps.host,
    port: deps.port,
    tls: deps.tls,
    maxConnectionsPerIp: deps.maxConnectionsPerIp,
    onPublish,
    log,
  });
  return {
    port: server.port,
    tlsPort: server.tlsPort,
    close: async () => {
      await server.close();
      for (const ingest of ingests.values()) ingest.end('the RTMP server closed');
    },
  };
}

/** Watches a publish's first tags until the probe has a verdict, the publisher leaves or the time is up. */
function probe(publish: RtmpPublish): Promise<ProbeVerdict> {
  return new Promise((resolve) => {
    const sourceProbe = new FlvSourceProbe();
    // Replaced by the subscription's own below; the subscription may decide while it replays cached tags.
    let unsubscribe = (): void => undefined;
    let done = false;
    const finish = (verdict: ProbeVerdict) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      removeCloseListener();
      unsubscribe();
      resolve(verdict);
    };
    const timer = setTimeout(() => finish(sourceProbe.conclude(PROBE_TIMEOUT_MS)), PROBE_TIMEOUT_MS);
    const removeCloseListener = publish.onClose(() =>
      finish({ ok: false, reason: 'the publisher left before its stream could be probed' }),
    );
    unsubscribe = publish.subscribe((tag) => {
      const verdict = sourceProbe.push(tag);
      if (verdict) finish(verdict);
    });
    if (done) unsubscribe();
  });
}
