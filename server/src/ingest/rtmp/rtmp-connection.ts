import type RtmpSession from 'node-media-server/src/session/rtmp_session.js';
import type { NmsRtmp, NmsSubscriber } from 'node-media-server/src/session/rtmp_session.js';
import type { Logger } from '../../log.js';

/** A client's request to publish, as the rest of Axon sees it: no node-media-server type leaks out. */
export interface RtmpPublish {
  /** The application of the RTMP URL (`live` in rtmp://host/live/<key>), as the client sent it. */
  readonly app: string;
  /** The stream name of the RTMP URL without its query, as the client sent it. */
  readonly streamKey: string;
  /** The client's address:port, for logs. */
  readonly remote: string;
  readonly closed: boolean;
  /** The publisher ended its publish itself (deleteStream: OBS's "Stop Streaming") rather than dropping out. */
  readonly stoppedByPublisher: boolean;
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

const RTMP_VERSION = 3;
/**
 * node-media-server allocates each message's declared length (up to 16 MiB) as soon as its header arrives,
 * for each chunk stream. Before its publish is accepted a client sends only small commands, and real
 * encoders use a handful of chunk streams, so anything beyond these is garbage or an attack.
 */
const MAX_COMMAND_MESSAGE_BYTES = 64 * 1024;
const MAX_CHUNK_STREAMS = 32;

class RtmpProtocolError extends Error {}

/** One client connection: node-media-server's session plus the guards it lacks. */
export class RtmpConnection implements RtmpPublish {
  publishing = false;
  stoppedByPublisher = false;
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
    // An encoder that stops (OBS's "Stop Streaming", FFmpeg at the end of its input) deletes its stream
    // before it closes: its broadcast can end at once instead of waiting for a return that will not come.
    // Only a publish node-media-server took counts: one it turned away (the stream still held by the
    // connection it replaces) deletes its stream too as it gives up, and is expected to try again.
    session.rtmp.onDeleteStream = () => {
      if (!this.publishing || !session.isPublisher) return;
      this.stoppedByPublisher = true;
      this.close();
    };
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
