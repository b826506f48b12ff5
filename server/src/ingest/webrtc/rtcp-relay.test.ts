import dgram from 'node:dgram';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/fixtures/wait-for.js';
import { hasSenderReport, RtcpRelay, SenderReportGate } from './rtcp-relay.js';

const SR = 200;
const RR = 201;
const SDES = 202;

/** An RTCP packet of type `type` with `words` 32-bit words after its header. */
function rtcp(type: number, words: number): Buffer {
  const packet = Buffer.alloc(4 + words * 4);
  packet[0] = 0x80;
  packet[1] = type;
  packet.writeUInt16BE(words, 2);
  return packet;
}

const senderReport = () => Buffer.concat([rtcp(SR, 6), rtcp(SDES, 3)]);
const receiverReport = () => Buffer.concat([rtcp(RR, 1), rtcp(SDES, 3)]);

describe('hasSenderReport', () => {
  it('finds a sender report anywhere in a compound datagram, and nothing in others', () => {
    expect(hasSenderReport(senderReport())).toBe(true);
    expect(hasSenderReport(Buffer.concat([rtcp(RR, 1), rtcp(SR, 6)]))).toBe(true);
    expect(hasSenderReport(receiverReport())).toBe(false);
    expect(hasSenderReport(Buffer.alloc(0))).toBe(false);
    // Not RTCP version 2 (an RTP-looking byte or garbage): no walk past it.
    expect(hasSenderReport(Buffer.from([0x40, SR, 0, 6]))).toBe(false);
    // A length running past the end stops the walk before the sender report it would skip to.
    expect(hasSenderReport(Buffer.concat([rtcp(RR, 0xffff).subarray(0, 8), rtcp(SR, 6)]))).toBe(false);
  });

  it('answers for any bytes without throwing', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => typeof hasSenderReport(bytes) === 'boolean'));
  });

  it('tells a compound of well-formed packets by whether one of them is a sender report', () => {
    const packet = fc.record({ type: fc.integer({ min: 192, max: 210 }), words: fc.integer({ min: 0, max: 12 }) });
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 6 }), (packets) => {
        const datagram = Buffer.concat(packets.map((p) => rtcp(p.type, p.words)));
        return hasSenderReport(datagram) === packets.some((p) => p.type === SR);
      }),
    );
  });
});

describe('SenderReportGate', () => {
  it('drops the other legs sender reports until the reference leg has sent one, and nothing else', () => {
    const gate = new SenderReportGate();
    expect(gate.pass(1, senderReport())).toBe(false);
    expect(gate.pass(1, receiverReport())).toBe(true);
    expect(gate.pass(0, receiverReport())).toBe(true);
    expect(gate.pass(1, senderReport())).toBe(false);
    expect(gate.pass(0, senderReport())).toBe(true);
    expect(gate.pass(1, senderReport())).toBe(true);
    expect(gate.pass(2, senderReport())).toBe(true);
  });
});

describe('RtcpRelay', () => {
  const sockets: dgram.Socket[] = [];
  const relays: RtcpRelay[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
    for (const relay of relays.splice(0)) relay.close();
  });

  async function boundSocket(): Promise<{ socket: dgram.Socket; port: number; received: Buffer[] }> {
    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    const received: Buffer[] = [];
    socket.on('message', (datagram) => received.push(datagram));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return { socket, port: socket.address().port, received };
  }

  it('forwards each leg to its FFmpeg port from its own sender only, holding the audio reports back until the video has sent one', async () => {
    const [ffmpegVideo, ffmpegAudio, mediasoupVideo, mediasoupAudio, stranger] = await Promise.all([...Array(5)].map(boundSocket));
    const relay = new RtcpRelay('127.0.0.1', { min: 40000, max: 49999 });
    relays.push(relay);
    const videoHop = await relay.addHop(ffmpegVideo!.port);
    const audioHop = await relay.addHop(ffmpegAudio!.port);
    videoHop.acceptFrom(mediasoupVideo!.port);
    audioHop.acceptFrom(mediasoupAudio!.port);
    expect([videoHop.port, audioHop.port].every((p) => p < 40000 || p > 49999)).toBe(true);
    const send = (from: dgram.Socket, datagram: Buffer, port: number) => from.send(datagram, port, '127.0.0.1');

    send(mediasoupAudio!.socket, senderReport(), audioHop.port); // held: the video has sent no report yet
    send(mediasoupAudio!.socket, receiverReport(), audioHop.port);
    send(stranger!.socket, receiverReport(), videoHop.port); // not the leg's transport
    await waitFor('the audio receiver report', () => ffmpegAudio!.received.length === 1);
    send(mediasoupVideo!.socket, senderReport(), videoHop.port);
    await waitFor('the video sender report', () => ffmpegVideo!.received.length === 1);
    send(mediasoupAudio!.socket, senderReport(), audioHop.port);
    await waitFor('the audio sender report', () => ffmpegAudio!.received.length === 2);

    expect(ffmpegAudio!.received.map(hasSenderReport)).toEqual([false, true]);
    expect(ffmpegVideo!.received.map(hasSenderReport)).toEqual([true]);
  });
});
