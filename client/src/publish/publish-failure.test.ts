import { describe, expect, it } from 'vitest';
import { startFailure } from './publish-failure.js';
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
