import { describe, expect, it } from 'vitest';
import { describeMediaError } from './media-errors.js';

describe('describeMediaError', () => {
  it('explains a denied permission', () => {
    expect(describeMediaError(new DOMException('Permission denied', 'NotAllowedError'))).toMatch(/access was denied/);
  });

  it('explains a missing or busy camera', () => {
    expect(describeMediaError(new DOMException('', 'NotFoundError'))).toMatch(/No camera was found/);
    expect(describeMediaError(new DOMException('Could not start video source', 'NotReadableError'))).toMatch(/in use/);
  });

  it('passes other failures on with their message', () => {
    expect(describeMediaError(new TypeError('bad constraints'))).toBe('The camera could not be started: bad constraints');
    expect(describeMediaError('weird')).toBe('The camera could not be started.');
  });
});
