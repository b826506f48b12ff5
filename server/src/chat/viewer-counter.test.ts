import { describe, expect, it } from 'vitest';
import { ViewerCounter, type ViewerReport } from './viewer-counter.js';

const TICK_MS = 1000;

/** Counters joined by a synchronous "bus", each with the changes it announced. */
function cluster(size: number) {
  let now = 0;
  const nodes: { counter: ViewerCounter; announced: [string, number][]; sent: ViewerReport[]; online: boolean }[] = [];
  for (let i = 0; i < size; i++) {
    const node = {
      announced: [] as [string, number][],
      sent: [] as ViewerReport[],
      online: true,
      counter: undefined as unknown as ViewerCounter,
    };
    node.counter = new ViewerCounter({
      tickMs: TICK_MS,
      heartbeatTicks: 5,
      now: () => now,
      onChange: (id, count) => node.announced.push([id, count]),
      publish: (report) => {
        node.sent.push(report);
        for (const other of nodes) if (other !== node && other.online) other.counter.receive(structuredClone(report));
      },
    });
    nodes.push(node);
  }
  const tick = () => {
    now += TICK_MS;
    for (const n of nodes) if (n.online) n.counter.tick();
  };
  return { nodes, tick };
}

describe('ViewerCounter', () => {
  it('counts viewers but not moderators, and tells members only changed totals, once per tick', () => {
    const { nodes, tick } = cluster(1);
    const { counter, announced } = nodes[0]!;
    counter.join('a', false);
    counter.join('a', true);
    counter.join('a', true);
    counter.join('b', true);
    expect(counter.total('a')).toBe(2);
    tick();
    expect(announced).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    counter.leave('a', true);
    counter.join('a', true);
    tick();
    expect(announced).toHaveLength(2);
    counter.leave('b', true);
    counter.leave('a', true);
    tick();
    expect(announced.slice(2)).toEqual([['a', 1]]);
    expect(counter.total('b')).toBe(0);
  });

  it('sums the viewers of every process', () => {
    const { nodes, tick } = cluster(2);
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    a.counter.join('x', true);
    b.counter.join('x', true);
    b.counter.join('x', true);
    tick();
    tick();
    expect(a.counter.total('x')).toBe(3);
    expect(b.counter.total('x')).toBe(3);
    expect(a.announced.at(-1)).toEqual(['x', 3]);
    expect(b.announced.at(-1)).toEqual(['x', 3]);
    b.counter.leave('x', true);
    tick();
    expect(a.counter.total('x')).toBe(2);
    // Between heartbeats only changes travel.
    expect(b.sent.at(-1)).toEqual({ node: expect.any(String), full: false, counts: { x: 1 } });
  });

  it('introduces itself to a process that appears later', () => {
    const { nodes, tick } = cluster(2);
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    b.online = false;
    a.counter.join('x', true);
    tick();
    tick();
    b.online = true;
    b.counter.join('x', true);
    tick(); // b's first (full) report reaches a, which answers with a full report on its next tick
    tick();
    expect(b.counter.total('x')).toBe(2);
    expect(a.counter.total('x')).toBe(2);
  });

  it('forgets a process that stopped reporting, and at once one that said goodbye', () => {
    const { nodes, tick } = cluster(3);
    const [a, b, c] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];
    a.counter.join('x', true);
    b.counter.join('x', true);
    c.counter.join('x', true);
    tick();
    tick();
    expect(a.counter.total('x')).toBe(3);
    c.counter.close();
    expect(a.counter.total('x')).toBe(2);
    b.online = false;
    for (let i = 0; i < 15; i++) tick();
    expect(a.counter.total('x')).toBe(2);
    tick();
    expect(a.counter.total('x')).toBe(1);
  });
});
