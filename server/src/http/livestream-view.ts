import { RTMP_APP } from '../../../shared/constants.js';
import type { Livestream, PublicLivestream } from '../../../shared/livestream.js';
import { embedPath, manifestPath, watchPath, whipPath } from '../../../shared/public-paths.js';
import type { Config } from '../config.js';
import type { SessionRegistry } from '../session/session-registry.js';
import type { LivestreamRecord } from '../store/livestream-repository.js';
import { thumbnailUrl } from '../thumbnails/thumbnail-url.js';
import { escapeHtml } from './html-escape.js';

export interface LivestreamViewDeps {
  config: Pick<Config, 'publicUrl' | 'rtmpPort' | 'rtmpsPort' | 'tls'>;
  registry: Pick<SessionRegistry, 'status' | 'get'>;
  viewerCount: (livestreamId: string) => number;
}

/** Turns stored livestreams into API resources: the owner's full view and everyone's public view. */
export class LivestreamViews {
  private readonly rtmpUrl: string;
  private readonly rtmpsUrl: string | null;

  constructor(private readonly deps: LivestreamViewDeps) {
    const { hostname } = new URL(deps.config.publicUrl);
    this.rtmpUrl = `rtmp://${hostname}:${deps.config.rtmpPort}/${RTMP_APP}`;
    this.rtmpsUrl = deps.config.tls ? `rtmps://${hostname}:${deps.config.rtmpsPort}/${RTMP_APP}` : null;
  }

  /** Async: the status may be another node's to tell. */
  async publicView(record: LivestreamRecord): Promise<PublicLivestream> {
    const base = this.deps.config.publicUrl;
    const embedUrl = `${base}${embedPath(record.id)}`;
    return {
      id: record.id,
      name: record.name,
      status: await this.deps.registry.status(record.id),
      viewers: this.deps.viewerCount(record.id),
      createdAt: record.createdAt,
      playerUrl: `${base}${watchPath(record.id)}`,
      embedHtml:
        `<iframe src="${escapeHtml(embedUrl)}" title="${escapeHtml(record.name)}" width="640" height="360"` +
        ` style="border:0;width:100%;height:auto;aspect-ratio:16/9"` +
        ` allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>`,
      hlsUrl: `${base}${manifestPath(record.id, 'hls')}`,
      dashUrl: `${base}${manifestPath(record.id, 'dash')}`,
      thumbnailUrl: thumbnailUrl(base, { livestreamId: record.id, version: record.thumbnailVersion }),
    };
  }

  async full(record: LivestreamRecord): Promise<Livestream> {
    const session = this.deps.registry.get(record.id);
    return {
      ...(await this.publicView(record)),
      streamKey: record.streamKey,
      record: record.record,
      dvrWindowS: record.dvrWindowS,
      topRung: record.topRung,
      enabled: record.enabled,
      rtmpUrl: this.rtmpUrl,
      rtmpsUrl: this.rtmpsUrl,
      whipUrl: `${this.deps.config.publicUrl}${whipPath(record.id)}`,
      ...(session && session.state !== 'ended' && { health: session.health }),
    };
  }
}
