import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chromeSimulcastOffer, chromeViewerOffer, firefoxOffer, obsOffer } from '../../test/fixtures/sdp-offers.js';
import { parseOffer, SdpError } from './sdp-offer.js';

/** Parses, and says how it went: an offer or a refusal (SdpError); anything else thrown is a crash and fails the test. */
function outcome(text: string): 'offer' | 'refused' {
  const started = performance.now();
  try {
    parseOffer(text);
    return 'offer';
  } catch (err) {
    if (!(err instanceof SdpError)) throw err;
    return 'refused';
  } finally {
    expect(performance.now() - started).toBeLessThan(200);
  }
}

const realOffers = [chromeSimulcastOffer, chromeViewerOffer, firefoxOffer, obsOffer];

/** Whole-line edits: drop, repeat, swap in a line of another offer, or garble a value. */
const lineEdit = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('borrow' as const), at: fc.nat(), from: fc.nat() }),
  fc.record({ kind: fc.constant('garble' as const), at: fc.nat(), text: fc.string({ maxLength: 40 }) }),
  fc.record({ kind: fc.constant('number' as const), at: fc.nat(), value: fc.oneof(fc.integer(), fc.constantFrom('-1', '1e999', 'NaN', '0x10', '')) }),
);

const mutatedOffer = fc.tuple(fc.constantFrom(...realOffers), fc.array(lineEdit, { minLength: 1, maxLength: 8 })).map(([offer, edits]) => {
  const lines = offer.split('\r\n');
  const pool = realOffers.flatMap((o) => o.split('\r\n'));
  for (const e of edits) {
    const at = e.at % lines.length;
    if (e.kind === 'drop') lines.splice(at, 1);
    else if (e.kind === 'repeat') lines.splice(at, 0, lines[at]!);
    else if (e.kind === 'borrow') lines.splice(at, 0, pool[e.from % pool.length]!);
    else if (e.kind === 'garble') lines[at] = `${lines[at]!.slice(0, 2)}${e.text}`;
    else lines[at] = lines[at]!.replace(/\d+/, String(e.value));
    if (lines.length === 0) lines.push('');
  }
  return lines.join('\r\n');
});

describe('parseOffer on hostile input', () => {
  it('refuses random text cleanly', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 500 }), fc.string({ maxLength: 300 }).map((s) => `v=0\r\n${s}`)), (text) => {
        outcome(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses mutated real offers cleanly, or reads them', () => {
    fc.assert(
      fc.property(mutatedOffer, (text) => {
        outcome(text);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads every real offer unmutated', () => {
    for (const offer of realOffers) expect(outcome(offer)).toBe('offer');
  });
});
