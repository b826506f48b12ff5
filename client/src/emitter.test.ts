import { describe, expect, it } from 'vitest';
import { Emitter } from './emitter.js';

describe('Emitter', () => {
  it('calls listeners with the arguments, until they unsubscribe', () => {
    const emitter = new Emitter<{ tick: [number, string] }>();
    const seen: Array<[number, string]> = [];
    const off = emitter.on('tick', (n, s) => seen.push([n, s]));
    emitter.emit('tick', 1, 'a');
    off();
    emitter.emit('tick', 2, 'b');
    expect(seen).toEqual([[1, 'a']]);
  });

  it('lets a listener unsubscribe while the event is being delivered', () => {
    const emitter = new Emitter<{ tick: [] }>();
    const calls: string[] = [];
    const off = emitter.on('tick', () => {
      calls.push('first');
      off();
    });
    emitter.on('tick', () => calls.push('second'));
    emitter.emit('tick');
    emitter.emit('tick');
    expect(calls).toEqual(['first', 'second', 'second']);
  });

  it('drops every listener on clear()', () => {
    const emitter = new Emitter<{ tick: [] }>();
    let calls = 0;
    emitter.on('tick', () => (calls += 1));
    emitter.clear();
    emitter.emit('tick');
    expect(calls).toBe(0);
  });
});
