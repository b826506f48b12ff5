import { describe, expect, it } from 'vitest';
import { ReactionBatcher } from './reaction-batcher.js';

describe('ReactionBatcher', () => {
  it('adds up reactions per livestream and emoji until drained', () => {
    const batcher = new ReactionBatcher();
    for (let i = 0; i < 7; i++) batcher.add('a', '🔥');
    batcher.add('a', '😂');
    batcher.add('b', '🔥');
    expect(batcher.drain()).toEqual([
      { livestreamId: 'a', burst: { emoji: '🔥', count: 7 } },
      { livestreamId: 'a', burst: { emoji: '😂', count: 1 } },
      { livestreamId: 'b', burst: { emoji: '🔥', count: 1 } },
    ]);
    expect(batcher.drain()).toEqual([]);
  });
});
