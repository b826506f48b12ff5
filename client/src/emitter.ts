type Listener<A extends unknown[]> = (...args: A) => void;

/** A small typed event emitter: each event name maps to its argument tuple. */
export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<unknown[]>>>();

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const stored = listener as unknown as Listener<unknown[]>;
    set.add(stored);
    return () => set.delete(stored);
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }

  clear(): void {
    this.listeners.clear();
  }
}
