import { describe, expect, it } from 'vitest';
import { refusedBy, startFailure } from './publish-failure.js';
import { PublishError } from './publisher.js';

describe('startFailure', () => {
  it('is a cancellation whatever broke, once end() came during start()', () => {
    const failure = startFailure(new PublishError('unreachable', 'gone'), true);
    expect(failure).toMatchObject({ kind: 'cancelled', message: 'The broadcast was ended before it started.' });
  });

  it('passes a PublishError through', () => {
    const error = new PublishError('unsupported', 'no camera size');
    expect(startFailure(error, false)).toBe(error);
  });

  it("takes any other error as a refusal, in the error's own words", () => {
    expect(startFailure(new TypeError('bad SDP'), false)).toMatchObject({ kind: 'rejected', message: 'bad SDP' });
    expect(startFailure('nope', false)).toMatchObject({ kind: 'rejected', message: 'nope' });
  });
});

describe('refusedBy', () => {
  it('keeps the server words and a code it knows', () => {
    expect(refusedBy({ error: 'This livestream already has a publisher', code: 'already_live' })).toMatchObject({
      kind: 'rejected',
      message: 'This livestream already has a publisher',
      code: 'already_live',
    });
  });

  it('drops a code it does not know, and does without one', () => {
    expect(refusedBy({ error: 'odd', code: 'made_up' }).code).toBeUndefined();
    expect(refusedBy({ error: 'The server answered 502.' })).toMatchObject({ kind: 'rejected', code: undefined });
  });
});
