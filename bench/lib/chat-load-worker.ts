// One worker thread of the chat benchmark's load: a share of the room's clients, some of them senders.
// Every message's text is the sender's process.hrtime (CLOCK_MONOTONIC, the same clock in every thread
// and process of the machine), so a receiver's latency is its own hrtime minus the text.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { io, type Socket } from 'socket.io-client';
import { ChatEvents, type ChatAck, type ChatMessage } from '../../shared/chat.js';

export interface ChatLoadShare {
  url: string;
  livestreamId: string;
  /** Clients of this worker, senders included. */
  clients: number;
  /** Global indexes (0 … totalSenders − 1) of the senders among this worker's clients. */
  senderIndexes: number[];
  totalSenders: number;
  /** Each sender sends one message per period; sender g sends at offset g × period / totalSenders. */
  periodMs: number;
}

/** Main thread → worker: when to send (hrtime ns, as strings) and which sends are measured. */
export interface ChatLoadStart {
  sendFromNs: string;
  sendUntilNs: string;
  measureFromNs: string;
  measureToNs: string;
}

export type ChatLoadReport =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | {
      type: 'done';
      /** Delivery latencies of the measured messages, to every client of this worker. */
      latenciesMs: Float64Array;
      /** Messages this worker's senders sent inside the measured window. */
      sentMeasured: number;
      refused: number;
      disconnected: number;
      loopDelayP99Ms: number;
    };

const CONNECT_BATCH = 25;
const ACK_TIMEOUT_MS = 10_000;
const DRAIN_MS = 1500;

const share = workerData as ChatLoadShare;
const post = (report: ChatLoadReport, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(report, transfer);
const now = () => process.hrtime.bigint();

function connect(): Promise<Socket> {
  const socket = io(share.url, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

async function join(socket: Socket, name?: string): Promise<void> {
  const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ChatEvents.join, { livestreamId: share.livestreamId, name })) as ChatAck<object>;
  if (!ack.ok) throw new Error(`chat:join refused: ${ack.error}`);
}

async function main(): Promise<void> {
  const sockets: Socket[] = [];
  const latencies: number[] = [];
  let measureFrom = 0n;
  let measureTo = 0n;
  let disconnected = 0;
  let refused = 0;
  for (let i = 0; i < share.clients; i += CONNECT_BATCH) {
    const batch = await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, share.clients - i) }, connect));
    sockets.push(...batch);
  }
  const senders = share.senderIndexes.map((g, i) => ({ g, socket: sockets[i]! }));
  await Promise.all(sockets.map((s, i) => join(s, i < senders.length ? `sender ${senders[i]!.g}` : undefined)));
  for (const socket of sockets) {
    socket.on(ChatEvents.message, (message: ChatMessage) => {
      const receivedAt = now();
      const sentAt = BigInt(message.text);
      if (sentAt >= measureFrom && sentAt < measureTo) latencies.push(Number(receivedAt - sentAt) / 1e6);
    });
    socket.on('disconnect', () => disconnected++);
  }
  post({ type: 'ready' });

  const start = await new Promise<ChatLoadStart>((resolve) => parentPort!.once('message', resolve));
  measureFrom = BigInt(start.measureFromNs);
  measureTo = BigInt(start.measureToNs);
  const sendFrom = BigInt(start.sendFromNs);
  const sendUntil = BigInt(start.sendUntilNs);
  const period = BigInt(Math.round(share.periodMs * 1e6));
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let sentMeasured = 0;
  const sending = senders.map(async ({ g, socket }) => {
    for (let at = sendFrom + (period * BigInt(g)) / BigInt(share.totalSenders); at < sendUntil; at += period) {
      const waitMs = Number(at - now()) / 1e6;
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
      const sentAt = now();
      if (sentAt >= measureFrom && sentAt < measureTo) sentMeasured++;
      void (socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ChatEvents.send, { text: String(sentAt) }) as Promise<ChatAck<object>>).then(
        (ack) => {
          if (!ack.ok) refused++;
        },
        () => refused++,
      );
    }
  });
  await Promise.all(sending);
  await new Promise((r) => setTimeout(r, DRAIN_MS));
  loopDelay.disable();
  const dropped = disconnected;
  for (const socket of sockets) socket.close();
  const latenciesMs = Float64Array.from(latencies);
  post({ type: 'done', latenciesMs, sentMeasured, refused, disconnected: dropped, loopDelayP99Ms: loopDelay.percentile(99) / 1e6 }, [latenciesMs.buffer]);
}

main().catch((err: unknown) => post({ type: 'failed', error: (err as Error).stack ?? String(err) }));
