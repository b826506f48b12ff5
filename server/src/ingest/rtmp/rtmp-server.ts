import net from 'node:net';
import tls from 'node:tls';
import Context from 'node-media-server/src/core/context.js';
import nmsLogger from 'node-media-server/src/core/logger.js';
import RtmpSession from 'node-media-server/src/session/rtmp_session.js';
import type { Logger } from '../../log.js';
import { FirstPerWindow } from '../../first-per-window.js';
import { HeldCounts } from '../../held-counts.js';
import type { TlsCertificate } from '../../tls-certificate.js';
import { RtmpConnection, type RtmpPublish } from './rtmp-connection.js';

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

/** A client that sends nothing for this long is dropped: a stalled handshake, or a publisher whose network died. */
const IDLE_TIMEOUT_MS = 10_000;

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
