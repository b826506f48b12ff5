import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CHAT_HISTORY_SIZE, DEFAULT_CHAT_RATE } from '../../shared/chat.js';
import { DEFAULT_LADDER_HEIGHTS, DVR_WINDOW_MAX_S, DVR_WINDOW_MIN_S } from '../../shared/constants.js';
import { TOP_RUNG_SETTINGS, type TopRungSetting } from '../../shared/livestream.js';
import { describeIssues } from './zod-issues.js';

const port = z.coerce.number().int().min(1).max(65535);

/** Every environment variable Axon reads, with its default. The README's configuration table mirrors this. */
const envSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  AXON_DATA_DIR: z.string().min(1).default('./data'),
  AXON_MEDIA_DIR: z.string().min(1).optional(),
  AXON_NODE_URL: z.url({ protocol: /^https?$/, error: 'AXON_NODE_URL must be an http:// or https:// URL' }).optional(),
  AXON_PUBLIC_URL: z.url().optional(),
  AXON_API_TOKEN: z.string().min(16, 'AXON_API_TOKEN must be at least 16 characters').optional(),
  RTC_LISTEN_IP: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
  RTC_ANNOUNCED_IP: z.string().min(1).optional(),
  RTC_MIN_PORT: port.default(40000),
  RTC_MAX_PORT: port.default(49999),
  AXON_MEDIASOUP_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  AXON_LADDER: z
    .string()
    .regex(/^\d{2,4}(,\d{2,4})*$/, 'AXON_LADDER is a comma-separated list of heights, e.g. 1080,720,480')
    .default(DEFAULT_LADDER_HEIGHTS.join(',')),
  AXON_FPS: z.coerce.number().int().min(1).max(60).default(30),
  AXON_X264_PRESET: z
    .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'])
    .default('veryfast'),
  AXON_TOP_RUNG: z.enum(TOP_RUNG_SETTINGS, { error: 'AXON_TOP_RUNG must be auto or encode' }).default('auto'),
  AXON_DVR_WINDOW_S: z.coerce.number().int().min(DVR_WINDOW_MIN_S).max(DVR_WINDOW_MAX_S).default(300),
  AXON_RECORDING_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  AXON_FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  AXON_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  AXON_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  RTMP_PORT: port.default(1935),
  AXON_RECONNECT_WINDOW_S: z.coerce.number().int().min(0).max(600).default(30),
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'REDIS_URL must be a redis:// or rediss:// URL').optional(),
  // The message never repeats the value: it may carry the database password.
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\/\S+$/.test(v) && URL.canParse(v), 'DATABASE_URL must be a postgres:// or postgresql:// URL')
    .optional(),
  AXON_CHAT_RATE: z.coerce.number().int().min(1).max(100).default(DEFAULT_CHAT_RATE),
  AXON_MAX_BROADCASTS: z.coerce.number().int().min(1).max(1000).optional(),
  AXON_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(600),
  AXON_MAX_RTMP_PER_IP: z.coerce.number().int().min(1).max(10_000).default(10),
  AXON_MAX_PUBLISH_PER_IP: z.coerce.number().int().min(1).max(10_000).default(5),
  AXON_MAX_WHEP_PER_IP: z.coerce.number().int().min(1).max(100_000).default(50),
  AXON_MAX_WHEP_PER_LIVESTREAM: z.coerce.number().int().min(1).max(100_000).default(300),
  AXON_CHAT_IP_RATE: z.coerce.number().int().min(1).max(10_000).default(100),
  AXON_CHAT_HISTORY: z.coerce.number().int().min(CHAT_HISTORY_SIZE).max(1_000_000).default(500),
  AXON_MAX_SOCKETS_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(500),
  AXON_METRICS_TOKEN: z.string().min(16, 'AXON_METRICS_TOKEN must be at least 16 characters').optional(),
  AXON_ORIGIN_CACHE_MB: z.coerce.number().int().min(0).max(65536).default(64),
  AXON_TLS_CERT: z.string().min(1).optional(),
  AXON_TLS_KEY: z.string().min(1).optional(),
  RTMPS_PORT: port.default(1936),
  AXON_RESTREAM_MAX_HEIGHT: z.coerce.number().int().min(144).max(4320).default(1080),
  AXON_RESTREAM_CA_FILE: z.string().min(1).optional(),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  mediaDir: string;
  publicUrl: string;
  /** The base URL other nodes (and the edge) reach this process at: broadcasts it hosts are proxied or redirected here. */
  nodeUrl: string;
  apiToken: string | undefined;
  rtc: {
    listenIp: string;
    announcedAddress: string | undefined;
    minPort: number;
    maxPort: number;
    workers: number;
  };
  transcode: {
    ladderHeights: number[];
    fps: number;
    x264Preset: string;
    ffmpegPath: string;
    /** auto: the top rung is the source's own H.264 when it qualifies (transcode/top-rung.ts); absent: auto. */
    topRung?: TopRungSetting;
  };
  dvrWindowS: number;
  /** Recordings that ended longer ago than this are deleted; undefined keeps them forever. */
  recordingRetentionDays: number | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** JSON lines for machines; pretty (pino-pretty) for a person, the default when stdout is a terminal. */
  logFormat: 'json' | 'pretty';
  rtmpPort: number;
  /** How long a broadcast waits for its dropped publisher to return before it ends. */
  reconnectWindowS: number;
  /** Broadcasts this process transcodes at once; one more publish is refused before any media flows. */
  maxBroadcasts: number;
  /** Limits per client address (and per livestream for real-time viewers); see the README's configuration table. */
  limits: {
    /** API, WHIP and WHEP requests a minute (public reads and media excluded). */
    requestsPerMinute: number;
    rtmpConnectionsPerIp: number;
    publishSessionsPerIp: number;
    whepSessionsPerIp: number;
    whepSessionsPerLivestream: number;
  };
  /** When set, Socket.IO shares rooms with the other Axon processes on this Redis. */
  redisUrl: string | undefined;
  /** When set, livestreams, recordings and chat live in this PostgreSQL database (cluster mode) instead of SQLite in dataDir. */
  databaseUrl: string | undefined;
  /** Chat messages, and separately reactions, one connection may send per CHAT_RATE_WINDOW_MS. */
  chatRate: number;
  /** The same, for all the connections of one client address together. */
  chatIpRate: number;
  /** Chat messages kept per livestream; older ones are deleted. */
  chatHistory: number;
  /** Chat (Socket.IO) connections one client address may hold at once. */
  maxSocketsPerIp: number;
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | undefined;
  /** Memory the origin keeps recently served playlists and segments in; 0 reads every request from disk. */
  originCacheBytes: number;
  /** PEM files of the certificate HTTPS and RTMPS present; undefined serves plain HTTP and no RTMPS. */
  tls: TlsFiles | undefined;
  rtmpsPort: number;
  restream: {
    /** Sources up to this height (short side) are pushed as they are; taller ones, and WebRTC's, as the highest rung within it. */
    maxHeight: number;
    /** CA bundle RTMPS destinations' certificates are checked against instead of the system's. */
    caFile: string | undefined;
  };
}

export interface TlsFiles {
  certPath: string;
  keyPath: string;
}

export class ConfigError extends Error {}

/** Where other nodes reach this one when AXON_NODE_URL is unset: its listen address, or its host name when it listens everywhere. */
function nodeHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return os.hostname();
  return host.includes(':') ? `[${host}]` : host;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = describeIssues(parsed.error).map((line) => `  ${line}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.RTC_MIN_PORT > e.RTC_MAX_PORT) throw new ConfigError('RTC_MIN_PORT must not exceed RTC_MAX_PORT');
  // ICE candidates carry an address clients can reach, and "every interface" is none.
  if ((e.RTC_LISTEN_IP === '0.0.0.0' || e.RTC_LISTEN_IP === '::') && e.RTC_ANNOUNCED_IP === undefined) {
    throw new ConfigError(`RTC_LISTEN_IP=${e.RTC_LISTEN_IP} needs RTC_ANNOUNCED_IP: the address browsers and encoders reach this server at`);
  }
  const dataDir = path.resolve(e.AXON_DATA_DIR);
  const ladderHeights = [...new Set(e.AXON_LADDER.split(',').map(Number))]
    .filter((h) => h >= 16)
    .sort((a, b) => b - a);
  if (ladderHeights.length === 0) throw new ConfigError('AXON_LADDER names no usable height');
  if ((e.AXON_TLS_CERT === undefined) !== (e.AXON_TLS_KEY === undefined)) {
    throw new ConfigError('AXON_TLS_CERT and AXON_TLS_KEY go together: set both (PEM file paths) or neither');
  }
  const tls = e.AXON_TLS_CERT && e.AXON_TLS_KEY ? { certPath: path.resolve(e.AXON_TLS_CERT), keyPath: path.resolve(e.AXON_TLS_KEY) } : undefined;
  if (tls && e.RTMPS_PORT === e.RTMP_PORT) throw new ConfigError('RTMPS_PORT must differ from RTMP_PORT');
  // Nodes sharing a database each run broadcasts: which node runs which is known only through Redis.
  if (e.DATABASE_URL !== undefined && e.REDIS_URL === undefined) {
    throw new ConfigError('DATABASE_URL (cluster mode) needs REDIS_URL: the nodes sharing the database share who broadcasts what through Redis');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    mediaDir: e.AXON_MEDIA_DIR === undefined ? path.join(dataDir, 'media') : path.resolve(e.AXON_MEDIA_DIR),
    nodeUrl: (e.AXON_NODE_URL ?? `${tls ? 'https' : 'http'}://${nodeHost(e.HOST)}:${e.PORT}`).replace(/\/+$/, ''),
    publicUrl: (e.AXON_PUBLIC_URL ?? `${tls ? 'https' : 'http'}://localhost:${e.PORT}`).replace(/\/+$/, ''),
    apiToken: e.AXON_API_TOKEN,
    rtc: {
      listenIp: e.RTC_LISTEN_IP,
      announcedAddress: e.RTC_ANNOUNCED_IP,
      minPort: e.RTC_MIN_PORT,
      maxPort: e.RTC_MAX_PORT,
      workers: e.AXON_MEDIASOUP_WORKERS ?? os.availableParallelism(),
    },
    transcode: {
      ladderHeights,
      fps: e.AXON_FPS,
      x264Preset: e.AXON_X264_PRESET,
      ffmpegPath: e.AXON_FFMPEG_PATH,
      topRung: e.AXON_TOP_RUNG,
    },
    dvrWindowS: e.AXON_DVR_WINDOW_S,
    recordingRetentionDays: e.AXON_RECORDING_RETENTION_DAYS,
    logLevel: e.AXON_LOG_LEVEL,
    logFormat: e.AXON_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    rtmpPort: e.RTMP_PORT,
    reconnectWindowS: e.AXON_RECONNECT_WINDOW_S,
    // Measured (bench `capacity`): 2 cores keep 3 ladders of a 720p30 source (720/480/360/144, veryfast) at
    // real time, and a fourth slows every broadcast below it.
    maxBroadcasts: e.AXON_MAX_BROADCASTS ?? Math.max(1, Math.floor(1.5 * os.availableParallelism())),
    limits: {
      requestsPerMinute: e.AXON_RATE_LIMIT,
      rtmpConnectionsPerIp: e.AXON_MAX_RTMP_PER_IP,
      publishSessionsPerIp: e.AXON_MAX_PUBLISH_PER_IP,
      whepSessionsPerIp: e.AXON_MAX_WHEP_PER_IP,
      whepSessionsPerLivestream: e.AXON_MAX_WHEP_PER_LIVESTREAM,
    },
    redisUrl: e.REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    chatRate: e.AXON_CHAT_RATE,
    chatIpRate: e.AXON_CHAT_IP_RATE,
    chatHistory: e.AXON_CHAT_HISTORY,
    maxSocketsPerIp: e.AXON_MAX_SOCKETS_PER_IP,
    metricsToken: e.AXON_METRICS_TOKEN,
    originCacheBytes: e.AXON_ORIGIN_CACHE_MB * 2 ** 20,
    tls,
    rtmpsPort: e.RTMPS_PORT,
    restream: { maxHeight: e.AXON_RESTREAM_MAX_HEIGHT, caFile: e.AXON_RESTREAM_CA_FILE && path.resolve(e.AXON_RESTREAM_CA_FILE) },
  };
}
