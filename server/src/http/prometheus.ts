import { Counter, Gauge, type Registry } from 'prom-client';

/** A metric family: gauges by default, counters for totals that only grow (their names end in _total). */
export interface SeriesDef {
  name: string;
  help: string;
  type?: 'gauge' | 'counter';
}

type Labels = Record<string, string>;
type Setter = (labels: Labels, value: number) => void;

/**
 * Registers a family whose samples are all read again at each scrape (prom-client's collect): Axon's
 * figures live in the objects that own them (sessions, caches, pools), so /metrics reads them rather than
 * keeping copies up to date. A sample not set again (a broadcast that ended) is gone from the next scrape.
 */
function registerFamily(registry: Registry, def: SeriesDef, labelNames: string[], fill: (set: Setter) => void | Promise<void>): void {
  const common = { name: def.name, help: def.help, labelNames, registers: [registry] };
  if (def.type === 'counter') {
    new Counter({
      ...common,
      async collect() {
        this.reset();
        await fill((labels, value) => this.inc(labels, value));
      },
    });
  } else {
    new Gauge({
      ...common,
      async collect() {
        this.reset();
        await fill((labels, value) => this.set(labels, value));
      },
    });
  }
}

/** One unlabelled series, read at each scrape. */
export function registerValue(registry: Registry, def: SeriesDef, read: () => number | Promise<number>): void {
  registerFamily(registry, def, [], async (set) => set({}, await read()));
}

/**
 * One series per item (e.g. per live broadcast), labelled `label="<key>"`; `read` returns undefined for an
 * item without a value yet, which then has no series.
 */
export function registerPerItem<T>(
  registry: Registry,
  def: SeriesDef,
  label: string,
  items: () => readonly T[],
  read: (item: T) => readonly [key: string, value: number] | undefined,
): void {
  registerFamily(registry, def, [label], (set) => {
    for (const item of items()) {
      const sample = read(item);
      if (sample) set({ [label]: sample[0] }, sample[1]);
    }
  });
}

/** Shares one read among the series of one scrape, which prom-client collects side by side. */
export function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= read().finally(() => {
      pending = undefined;
    }));
}
