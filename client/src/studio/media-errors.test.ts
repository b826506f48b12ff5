import { describe, expect, it } from 'vitest';
import { describeMediaError, INSECURE_PAGE } from './media-errors.js';

describe('describeMediaError', () => {
  it('explains a denied permission', () => {
    expect(describeMediaError(new DOMException('Permission denied', 'NotAllowedError'))).toMatch(/access was denied/);
  });

  it('explains a missing or busy camera', () => {
    expect(describeMediaError(new DOMException('', 'NotFoundError'))).toMatch(/No camera was found/);
    expect(describeMediaError(new DOMException('Could not start video source', 'NotReadableError'))).toMatch(/in use/);
  });

  it('explains that a plain-HTTP page gets no camera, and what to do', () => {
    const text = describeMediaError(new DOMException('the page is not served over HTTPS', INSECURE_PAGE));
    expect(text).toMatch(/only over HTTPS/);
    expect(text).toMatch(/https:\/\/ address/);
  });

  it('passes other failures on with their message', () => {
    expect(describeMediaError(new TypeError('bad constraints'))).toBe('The camera could not be started: bad constraints');
    expect(describeMediaError('weird')).toBe('The camera could not be started.');
  });
});
