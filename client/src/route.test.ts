import { describe, expect, it } from 'vitest';
import { livestreamIdFromPath, streamKeyFromHash } from './route.js';

describe('livestreamIdFromPath', () => {
  it('takes the id after the page name', () => {
    expect(livestreamIdFromPath('/watch/Ab3_x-9Kq2')).toBe('Ab3_x-9Kq2');
    expect(livestreamIdFromPath('/studio/Ab3_x-9Kq2/')).toBe('Ab3_x-9Kq2');
    expect(livestreamIdFromPath('/embed/a%20b')).toBe('a b');
  });

  it('has none for the bare page or deeper paths', () => {
    expect(livestreamIdFromPath('/watch')).toBeNull();
    expect(livestreamIdFromPath('/watch/')).toBeNull();
    expect(livestreamIdFromPath('/watch/a/b')).toBeNull();
    expect(livestreamIdFromPath('/watch/%E0%A4%A')).toBeNull();
  });
});

describe('streamKeyFromHash', () => {
  it('reads the key from the fragment', () => {
    expect(streamKeyFromHash('#key=sk_abc%2B1')).toBe('sk_abc+1');
    expect(streamKeyFromHash('#other=1&key=k')).toBe('k');
  });

  it('has none without one', () => {
    expect(streamKeyFromHash('')).toBeNull();
    expect(streamKeyFromHash('#key=')).toBeNull();
  });
});
