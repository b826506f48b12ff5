/**
 * Types for the parts of node-media-server 4.4.3 that Axon uses: its RTMP protocol session and its
 * per-stream broadcast fan-out (node_modules/node-media-server/src). The package ships no types, and
 * Axon uses these internals rather than NodeMediaServer, which would also start an HTTP server, a JSON
 * store with its own data directory and a console logger.
 */

declare module 'node-media-server/src/core/context.js' {
  import type { EventEmitter } from 'node:events';
  import type { NmsBroadcast } from 'node-media-server/src/session/rtmp_session.js';

  const Context: {
    config: Record<string, unknown>;
    broadcasts: Map<string, NmsBroadcast>;
    /** Filled only by NodeMediaServer's own servers, which Axon does not run: tests check it stays empty. */
    sessions: Map<string, unknown>;
    eventEmitter: EventEmitter;
  };
  export default Context;
}

declare module 'node-media-server/src/core/logger.js' {
  const logger: { log(message: string, level?: string): void };
  export default logger;
}

declare module 'node-media-server/src/session/rtmp_session.js' {
  import type { Socket } from 'node:net';

  /** What BroadcastServer.postPlay needs of a subscriber: `protocol: 'flv'` gets FLV tags. */
  export interface NmsSubscriber {
    id: string;
    /** Empty for in-process subscribers: BroadcastServer then emits no play events for them. */
    ip: string;
    protocol: 'flv';
    endTime: number;
    sendBuffer(buffer: Buffer): void;
  }

  export interface NmsBroadcast {
    publishGraceMs: number;
    postPlay(session: NmsSubscriber): string | null;
    donePlay(session: NmsSubscriber): void;
  }

  export interface NmsRtmp {
    /** Set from the client's connect and publish commands: unvalidated. */
    streamApp?: unknown;
    streamName?: unknown;
    inChunkSize: number;
    inPackets: Map<number, unknown>;
    parserPacket: { header: { length: number } };
    packetAlloc(): void;
    /** Called for the client's deleteStream command; node-media-server's own does nothing. */
    onDeleteStream(invokeMessage: unknown): void;
  }

  export default class RtmpSession {
    constructor(socket: Socket);
    readonly id: string;
    readonly ip: string;
    readonly socket: Socket;
    readonly rtmp: NmsRtmp;
    readonly broadcast: NmsBroadcast;
    /** True once node-media-server took the publish (its stream was free). */
    readonly isPublisher?: boolean;
    run(): void;
    onData: (data: Buffer) => void;
    close(): void;
  }
}

declare module 'node-media-server/src/protocol/amf.js' {
  const amf: {
    decodeAmf0Data(data: Buffer): { cmd?: unknown; dataObj?: unknown };
    encodeAmf0Data(data: { cmd: string } & Record<string, unknown>): Buffer;
  };
  export default amf;
}

declare module 'node-media-server/src/protocol/rtmp_client.js' {
  /** node-media-server's RTMP client (tests: many publishes where one FFmpeg each would be too slow). */
  export default class RtmpClient {
    onCloseCallback: (hadError: boolean) => void;
    onErrorCallback: (error: Error) => void;
    /** Connects to rtmp://host:port/<app>/<name> and completes the handshake. */
    connect(url: string): Promise<void>;
    sendConnect(): Promise<unknown>;
    sendCreateStream(): Promise<number>;
    sendPublish(streamName: string): Promise<unknown>;
    disconnect(): void;
  }
}
