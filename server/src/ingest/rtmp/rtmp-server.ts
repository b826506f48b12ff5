import net from 'node:net';
import tls from 'node:tls';
import Context from 'node-media-server/src/core/context.js';
import nmsLogger from 'node-media-server/src/core/logger.js';
import RtmpSession, { type NmsRtmp, type NmsSubscriber } from 'node-media-server/src/session/rtmp_session.js';
import type { Logger } from '../../log.js';
import { FirstPerWindow } from '../../first-per-window.js';
import { HeldCounts } from '../../held-counts.js';
import type { TlsCertificate } from '../../tls-certificate.js';

/** A client's request to publish, as the rest of Axon sees it: no node-media-server type leaks out. */
export interface RtmpPublish {
  /** The application of the RTMP URL (`live` in rtmp://host/live/<key>), as the client sent it. */
  readonly app: string;
  /** The stream name of the RTMP URL without its query, as the client sent it. */
  readonly streamKey: string;
  /** The client's address:port, for logs. */
  readonly remote: string;
  readonly closed: boolean;
  /** Milliseconds since the client last sent anything. */
  readonly silentForMs: number;
  /**
   * Receives the publish as FLV tags (11-byte tag header, body, 4-byte back-pointer), without the FLV file
   * header: first the cached metadata, sequence headers and current GOP, then every new tag. Returns the
   * unsubscribe function; every subscription ends when the publish closes.
   */
  subscribe(sink: (tag: Buffer) => void): () => void;
  /** Called once when the connection is gone (at once if it already is). Returns the remover. */
  onClose(listener: () => void): () => void;
  /** Drops the connection at once: refuses the publish or ends it. */
  close(): void;
}

export interface RtmpServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** RTMPS: the same publishes, checked the same way, over TLS on a port of its own (0 picks a free one). */
  tls?: { port: number; certificate: TlsCertificate };
  /** Connections (RTMP and RTMPS together) one client address may hold; more are closed at once. No limit when unset. */
  maxConnectionsPerIp?: number;
  /**
   * Called synchronously when a client asks to publish, before any of its media is taken in; calling
   * `publish.close()` there refuses it.
   */
  onPublish(publish: RtmpPublish): void;
  log: Logger;
}

const RTMP_VERSION = 3;
/** A client that sends nothing for this long is dropped: a stalled handshake, or a publisher whose network died. */
const IDLE_TIMEOUT_MS = 10_000;
/**
 * node-media-server allocates each message's declared length (up to 16 MiB) as soon as its header arrives,
 * for each chunk stream. Before its publish is accepted a client sends only small commands, and real
 * encoders use a handful of chunk streams, so anything beyond these is garbage or an attack.
 */
const MAX_COMMAND_MESSAGE_BYTES = 64 * 1024;
const MAX_CHUNK_STREAMS = 32;

class RtmpProtocolError extends Error {}

let running = false;

/**
 * An RTMP server built from node-media-server's protocol session and broadcast fan-out, without the rest
 * of NodeMediaServer (HTTP server, JSON store, recorder). It only takes publishes: plays are refused, and
 * each publish is handed to `onPublish` to be accepted or refused. node-media-server keeps its state in
 * process-wide singletons, so one RtmpServer runs per process at a time.
 */
export class RtmpServer {
  private readonly connections = new Map<RtmpSession, RtmpConnection>();
  private readonly perIp: HeldCounts;
  private readonly refusals = new FirstPerWindow(60_000);
  private readonly log: Logger;
  private removeRenewal = (): void => undefined;

  private constructor(
    private readonly server: net.Server,
    private readonly tlsServer: tls.Server | undefined,
    private readonly o: RtmpServerOptions,
  ) {
    this.log = o.log;
    this.perIp = new HeldCounts(o.maxConnectionsPerIp ?? Infinity);
  }

  static async listen(o: RtmpServerOptions): Promise<RtmpServer> {
    if (running) throw new Error('an RTMP server is already running in this process');
    running = true;
    const server = net.createServer();
    const tlsServer = o.tls && tls.createServer({ ...o.tls.certificate.pair, handshakeTimeout: IDLE_TIMEOUT_MS });
    const rtmp = new RtmpServer(server, tlsServer, o);
    try {
      await listenOn(server, o.port, o.host);
      if (tlsServer) await listenOn(tlsServer, o.tls!.port, o.host);
    } catch (err) {
      server.close();
      running = false;
      throw err;
    }
    server.on('connection', (socket) => rtmp.accept(socket));
    server.on('error', (err) => o.log.error('RTMP server error', { err }));
    if (tlsServer) {
      tlsServer.on('secureConnection', (socket) => rtmp.accept(socket));
      // A failed handshake (garbage, plain RTMP on the RTMPS port, a silent client) is the client's business.
      // With this listener attached Node leaves the socket open: closing it is the listener's job.
      tlsServer.on('tlsClientError', (err, socket) => {
        o.log.debug('RTMPS handshake failed', { remote: `${socket.remoteAddress}:${socket.remotePort}`, reason: err.message });
        socket.destroy();
      });
      tlsServer.on('error', (err) => o.log.error('RTMPS server error', { err }));
      rtmp.removeRenewal = o.tls!.certificate.onRenew((pair) => tlsServer.setSecureContext(pair));
    }
    // Its errors are about clients (bad paths, refused sessions), which Axon itself logs with the reason.
    nmsLogger.log = (message) => o.log.debug(`node-media-server: ${withoutStreamNames(message)}`);
    Context.eventEmitter.on('prePublish', rtmp.onPrePublish);
    Context.eventEmitter.on('prePlay', rtmp.onPrePlay);
    o.log.info(`RTMP ingest listening on ${o.host}:${rtmp.port}${tlsServer ? `, RTMPS on ${o.host}:${rtmp.tlsPort}` : ''}`);
    return rtmp;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The RTMPS port; undefined when RTMPS is not served. */
  get tlsPort(): number | undefined {
    return this.tlsServer && (this.tlsServer.address() as net.AddressInfo).port;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    Context.eventEmitter.off('prePublish', this.onPrePublish);
    Context.eventEmitter.off('prePlay', this.onPrePlay);
    this.removeRenewal();
    this.refusals.close();
    const closed = Promise.all(
      [this.server, this.tlsServer].map((s) => s && new Promise<void>((resolve) => s.close(() => resolve()))),
    );
    for (const connection of this.connections.values()) connection.close();
    await closed;
    running = false;
  }

  private accept(socket: net.Socket): void {
    const ip = socket.remoteAddress ?? 'unknown';
    const giveBack = this.perIp.take(ip);
    if (!giveBack) {
      if (this.refusals.first(ip)) this.log.warn(`RTMP connection refused: this address already holds ${this.perIp.limit} connections, its limit`, { ip });
      socket.destroy();
      return;
    }
    const session = new RtmpSession(socket);
    const connection = new RtmpConnection(session, this.log);
    this.connections.set(session, connection);
    socket.once('close', () => {
      giveBack();
      this.connections.delete(session);
      connection.onSocketClosed();
    });
    socket.setTimeout(IDLE_TIMEOUT_MS, () => connection.drop('idle for too long'));
    connection.run();
  }

  private readonly onPrePublish = (session: RtmpSession): void => {
    // node-media-server would resume a returning publisher's timeline itself for 30 s; Axon's reconnect window decides instead.
    session.broadcast.publishGraceMs = 0;
    const connection = this.connections.get(session);
    if (!connection) return;
    if (connection.publishing) {
      connection.drop('a second publish on one connection');
      return;
    }
    connection.publishing = true;
    try {
      this.o.onPublish(connection);
    } catch (err) {
      this.log.error('the RTMP publish could not be handled', { err, remote: connection.remote });
      connection.close();
    }
  };

  private readonly onPrePlay = (session: RtmpSession): void => {
    this.connections.get(session)?.drop('playing over RTMP is not offered');
  };
}

/**
 * node-media-server names a stream in its lines as /<app>/<name>, or as `app=…, name=…` when it refuses the
 * characters, and the name is a stream key (the app is one too when an encoder is given the key in its
 * server URL). Every path and everything from `app=` on is cut out; what stays (session, address, event)
 * is what a debug line is for.
 */
function withoutStreamNames(message: string): string {
  return message.replace(/ app=.*$/s, ' app=…').replace(/\/\S*/g, '/…');
}

function listenOn(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** One client connection: node-media-server's session plus the guards it lacks. */
class RtmpConnection implements RtmpPublish {
  publishing = false;
  private isClosed = false;
  private lastDataAt = Date.now();
  private readonly subscribers = new Map<string, NmsSubscriber>();
  private readonly closeListeners = new Set<() => void>();
  private static nextSubscriber = 1;

  constructor(
    private readonly session: RtmpSession,
    private readonly log: Logger,
  ) {}

  // From the protocol parser: the session keeps them only when they are names node-media-server likes.
  get app(): string {
    return String(this.session.rtmp.streamApp ?? '');
  }

  get streamKey(): string {
    return String(this.session.rtmp.streamName ?? '');
  }

  get remote(): string {
    return this.session.ip;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get silentForMs(): number {
    return Date.now() - this.lastDataAt;
  }

  run(): void {
    const { session } = this;
    const parse = session.onData;
    let first = true;
    // node-media-server's parser throws on some malformed input (e.g. a connect without tcUrl), and a throw
    // in a socket's data handler would take the whole process down.
    session.onData = (data) => {
      if (this.isClosed) return;
      this.lastDataAt = Date.now();
      if (first) {
        first = false;
        if (data[0] !== RTMP_VERSION) return this.drop('not an RTMP client');
      }
      try {
        parse(data);
      } catch (err) {
        this.drop(err instanceof RtmpProtocolError ? err.message : `malformed RTMP data (${(err as Error).message})`);
      }
    };
    guardAllocations(session.rtmp, () => this.publishing);
    session.run();
  }

  subscribe(sink: (tag: Buffer) => void): () => void {
    if (this.isClosed) return () => undefined;
    let sentFileHeader = false;
    const subscriber: NmsSubscriber = {
      id: `axon-${RtmpConnection.nextSubscriber++}`,
      ip: '',
      protocol: 'flv',
      endTime: 0,
      // postPlay always sends the FLV file header first; subscribers get tags only.
      sendBuffer: (buffer) => {
        if (sentFileHeader) sink(buffer);
        else sentFileHeader = true;
      },
    };
    this.subscribers.set(subscriber.id, subscriber);
    this.session.broadcast.postPlay(subscriber);
    return () => this.unsubscribe(subscriber);
  }

  onClose(listener: () => void): () => void {
    if (this.isClosed) {
      queueMicrotask(listener);
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.session.socket.destroy();
  }

  drop(reason: string): void {
    if (this.isClosed) return;
    this.log.debug('RTMP connection dropped', { remote: this.remote, reason });
    this.close();
  }

  onSocketClosed(): void {
    this.isClosed = true;
    for (const subscriber of [...this.subscribers.values()]) this.unsubscribe(subscriber);
    for (const listener of [...this.closeListeners]) listener();
    this.closeListeners.clear();
  }

  private unsubscribe(subscriber: NmsSubscriber): void {
    if (!this.subscribers.delete(subscriber.id)) return;
    this.session.broadcast.donePlay(subscriber);
  }
}

function guardAllocations(rtmp: NmsRtmp, publishing: () => boolean): void {
  const allocate = Object.getPrototypeOf(rtmp).packetAlloc as () => void;
  rtmp.packetAlloc = () => {
    const { length } = rtmp.parserPacket.header;
    if (!publishing() && length > MAX_COMMAND_MESSAGE_BYTES) {
      throw new RtmpProtocolError(`a ${length}-byte message before publishing`);
    }
    if (rtmp.inPackets.size > MAX_CHUNK_STREAMS) throw new RtmpProtocolError(`more than ${MAX_CHUNK_STREAMS} chunk streams`);
    allocate.call(rtmp);
  };
}
