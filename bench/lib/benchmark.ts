/** A ceiling or floor a figure should meet (from the tracker's targets). */
export interface Target {
  op: '<=' | '>=';
  value: number;
  /** What the target bounds: the figure's median (default), or its ratio to the reference's median. */
  of?: 'value' | 'ratio';
}

/** One line of the results table: a quantity measured once per run. */
export interface Figure {
  /** What was measured, with its unit, e.g. "go-live time (s)". */
  metric: string;
  /** One value per run. */
  values: number[];
  target?: Target;
  /** The same quantity measured on something to compare with (e.g. bare FFmpeg); the table shows the ratio of medians. */
  reference?: { name: string; values: number[] };
}

export interface BenchSettings {
  /** Smoke mode: one short run, to prove the benchmark still works, not to measure. */
  quick: boolean;
  runs: number;
  log(line: string): void;
}

export interface Benchmark {
  /** Short name, used to pick benchmarks on the command line and as the results section's key. */
  name: string;
  title: string;
  run(settings: BenchSettings): Promise<Figure[]>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const MB = 1024 * 1024;
