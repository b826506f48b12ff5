import path from 'node:path';
import { SEGMENT_DURATION_S } from '../shared/constants.js';
import { freeTcpPort, startAxonServer } from './lib/axon-server.js';
import { sleep, type Benchmark, type BenchSettings, type Figure } from './lib/benchmark.js';
import { waitUntilPlayable } from './lib/hls.js';
import { epochOf, fetchListed, sampleLiveEdge, topRungListed } from './lib/live-edge.js';
import { RTMP_MODULE, startNginx, type Nginx } from './lib/nginx.js';
import { publishRtmp, type RtmpPublisher } from './lib/rtmp-publisher.js';
import { median } from './lib/stats.js';
import { testStreamFile } from './lib/test-stream.js';

interface Durations {
  inputS: number;
  /** After both streams are playable, before sampling. */
  warmUpS: number;
  windowS: number;
}

const FULL: Durations = { inputS: 120, warmUpS: 4, windowS: 40 };
const QUICK: Durations = { inputS: 20, warmUpS: 1, windowS: 6 };
const GO_LIVE_TIMEOUT_MS = 30_000;

/** nginx-rtmp-module fed over RTMP, writing its own HLS (2 s fragments), served by the same nginx over HTTP. */
interface NginxRtmp {
  nginx: Nginx;
  rtmpBase: string;
  playlistUrl(stream: string): string;
}

async function startNginxRtmp(): Promise<NginxRtmp> {
  const rtmpPort = await freeTcpPort();
  const httpPort = await freeTcpPort();
  const nginx = await startNginx({
    workers: 1, // nginx-rtmp serves a stream from one worker
    modules: [RTMP_MODULE],
    main: (prefix) => `rtmp {
  server {
    listen 127.0.0.1:${rtmpPort};
    application live {
      live on;
      hls on;
      hls_path ${path.join(prefix, 'hls')};
      hls_fragment ${SEGMENT_DURATION_S}s;
      # Every fragment stays listed through a run, so the listed durations add up to the media sent.
      hls_playlist_length 10m;
    }
  }
}`,
    http: (prefix) => `  server {
    listen 127.0.0.1:${httpPort};
    location /hls/ {
      alias ${path.join(prefix, 'hls')}/;
      types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
      add_header Cache-Control no-cache;
    }
  }`,
    ports: [rtmpPort, httpPort],
  });
  return {
    nginx,
    rtmpBase: `rtmp://127.0.0.1:${rtmpPort}/live`,
    playlistUrl: (stream) => `http://127.0.0.1:${httpPort}/hls/${stream}.m3u8`,
  };
}

/** Resolves with the Date.now() at which `url` first answered a playlist listing a segment. */
async function waitUntilListed(url: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const polledAt = Date.now();
    if (((await fetchListed(url))?.segments ?? 0) > 0) return Date.now();
    await sleep(Math.max(0, polledAt + 50 - Date.now()));
  }
  throw new Error(`${url} listed no segment within ${timeoutMs / 1000} s`);
}

function nginxListed(url: string) {
  return async (): Promise<number | undefined> => {
    const m = await fetchListed(url);
    if (m && m.mediaSequence !== 0) throw new Error(`nginx-rtmp's playlist no longer starts at the stream's start: ${JSON.stringify(m)}`);
    return m?.durationS;
  };
}

interface RunResult {
  axonGoLiveS: number;
  nginxGoLiveS: number;
  axonEdgeS: number;
  nginxEdgeS: number;
}

async function oneRun(rtmp: NginxRtmp, input: string, index: number, d: Durations): Promise<RunResult> {
  const server = await startAxonServer();
  let publisher: RtmpPublisher | undefined;
  try {
    const livestream = await server.createLivestream(`bench latency ${index}`);
    const masterUrl = `${server.baseUrl}/live/${livestream.id}/master.m3u8`;
    const stream = `run${index}`;
    const nginxUrl = rtmp.playlistUrl(stream);
    const pub = publishRtmp(input, [`${livestream.rtmpUrl}/${livestream.streamKey}`, `${rtmp.rtmpBase}/${stream}`]);
    publisher = pub;
    const [axonPlayableAt, nginxListedAt] = await Promise.all([
      waitUntilPlayable(masterUrl, GO_LIVE_TIMEOUT_MS),
      waitUntilListed(nginxUrl, GO_LIVE_TIMEOUT_MS),
    ]).catch((err: Error) => {
      throw new Error(`${err.message}\npublisher: ${pub.process.errors()}\nAxon:\n${server.logTail()}`);
    });
    const epochMs = epochOf(pub);
    await sleep(d.warmUpS * 1000);
    const [axonLags, nginxLags] = await Promise.all([
      sampleLiveEdge(epochMs, await topRungListed(masterUrl), d.windowS),
      sampleLiveEdge(epochMs, nginxListed(nginxUrl), d.windowS),
    ]);
    if (pub.process.hasExited) throw new Error(`the publisher ended inside the window: ${pub.process.errors()}`);
    return {
      axonGoLiveS: (axonPlayableAt - epochMs()) / 1000,
      nginxGoLiveS: (nginxListedAt - epochMs()) / 1000,
      axonEdgeS: median(axonLags),
      nginxEdgeS: median(nginxLags),
    };
  } finally {
    await publisher?.stop();
    await server.stop();
  }
}

/**
 * Issues 4 and 8 (3): one RTMP publish, sent at the same moment to Axon and to nginx-rtmp-module, and how
 * soon and how fresh each serves it as HLS.
 */
export const latency: Benchmark = {
  name: 'latency',
  title: 'RTMP → HLS: go-live time and live-edge latency, Axon vs nginx-rtmp',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const d = quick ? QUICK : FULL;
    const input = await testStreamFile(d.inputS);
    const rtmp = await startNginxRtmp();
    const results: RunResult[] = [];
    try {
      for (let i = 1; i <= runs; i++) {
        const r = await oneRun(rtmp, input, i, d);
        log(
          `run ${i}: go-live Axon ${r.axonGoLiveS.toFixed(2)} s, nginx-rtmp ${r.nginxGoLiveS.toFixed(2)} s; ` +
            `live edge Axon ${r.axonEdgeS.toFixed(2)} s, nginx-rtmp ${r.nginxEdgeS.toFixed(2)} s`,
        );
        results.push(r);
      }
    } finally {
      await rtmp.nginx.stop();
    }
    const values = (pick: (r: RunResult) => number) => results.map(pick);
    return [
      {
        metric: 'go-live: RTMP publish → first playable segment (s)',
        values: values((r) => r.axonGoLiveS),
        reference: { name: 'nginx-rtmp', values: values((r) => r.nginxGoLiveS) },
      },
      {
        metric: `live-edge latency: frame sent → listed in the playlist, ${SEGMENT_DURATION_S} s segments (s)`,
        values: values((r) => r.axonEdgeS),
        reference: { name: 'nginx-rtmp', values: values((r) => r.nginxEdgeS) },
      },
    ];
  },
};
