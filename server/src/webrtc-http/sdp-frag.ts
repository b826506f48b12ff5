import type { types } from 'mediasoup';
import { SdpError } from './sdp-offer.js';

/** The first bundled section, which a restart answer names (RFC 9725 §4.3.2). */
export interface FragSection {
  mid: string;
  kind: string;
  protocol: string;
  payloadType: number;
}

const FRAG_LINE = /^[am]=\S/;
const ICE_CHAR = /^[A-Za-z0-9+/]+$/;

/**
 * Reads an application/trickle-ice-sdpfrag body (RFC 8840): only the ICE credentials matter here, since
 * mediasoup is ICE-lite and learns the client's addresses from its connectivity checks. New credentials
 * mean an ICE restart (RFC 8839 §4.4.1.1.1).
 */
export function readFragCredentials(text: string): types.IceParameters | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new SdpError('the SDP fragment is empty');
  const bad = lines.find((l) => !FRAG_LINE.test(l));
  if (bad !== undefined) throw new SdpError(`not an SDP fragment line: ${JSON.stringify(bad.slice(0, 40))}`);
  const value = (name: string) => lines.find((l) => l.startsWith(`a=${name}:`))?.slice(name.length + 3).trim();
  const usernameFragment = value('ice-ufrag');
  const password = value('ice-pwd');
  if (usernameFragment === undefined && password === undefined) return undefined;
  if (usernameFragment === undefined || password === undefined) throw new SdpError('an ICE restart needs both a=ice-ufrag and a=ice-pwd');
  if (!ICE_CHAR.test(usernameFragment) || usernameFragment.length < 4 || usernameFragment.length > 256) throw new SdpError('invalid a=ice-ufrag');
  if (!ICE_CHAR.test(password) || password.length < 22 || password.length > 256) throw new SdpError('invalid a=ice-pwd');
  return { usernameFragment, password };
}

/** The answer to an ICE restart: the new local credentials and every candidate, as RFC 9725's example. */
export function buildRestartFrag(ice: types.IceParameters, candidates: types.IceCandidate[], bundle: FragSection[]): string {
  const first = bundle[0];
  if (!first) throw new Error('a restart answer needs a bundled section');
  const lines = [
    'a=ice-lite',
    `a=ice-ufrag:${ice.usernameFragment}`,
    `a=ice-pwd:${ice.password}`,
    `a=group:BUNDLE ${bundle.map((s) => s.mid).join(' ')}`,
    `m=${first.kind} 9 ${first.protocol} ${first.payloadType}`,
    `a=mid:${first.mid}`,
    ...candidates.map(
      (c, i) =>
        `a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address} ${c.port} typ ${c.type}` +
        `${c.tcpType ? ` tcptype ${c.tcpType}` : ''} generation 0 network-id ${i + 1}`,
    ),
    'a=end-of-candidates',
  ];
  return `${lines.join('\r\n')}\r\n`;
}
