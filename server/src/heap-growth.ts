import v8 from 'node:v8';

/**
 * How far past what the last full collection kept V8 lets the old generation grow before it marks the whole
 * heap again: by as much again. A broadcasting server keeps about 35 MB and allocates slowly, so V8 chooses
 * its smallest growth (a tenth) and puts its limit no further than a young generation's size away; it then
 * marks and compacts the whole heap about every 2 s, each time to free 4–10 MB (measured: bench/README.md,
 * "Where Node's CPU goes during a broadcast").
 */
const HEAP_GROWING_PERCENT = 100;

/** Applies from the next full collection on; V8 reads the flag each time it sets a new limit. */
export function setHeapGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
