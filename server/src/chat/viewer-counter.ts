import { randomUUID } from 'node:crypto';

/** What one Axon process tells the others about the viewers connected to it. */
export interface ViewerReport {
  node: string;
  /** A full report replaces what the receiver knew of the node; otherwise only the listed counts change. */
  full: boolean;
  /** Viewers per livestream; 0 means none any more. */
  counts: Record<string, number>;
}

export interface ViewerCounterOptions {
  /** Sends a report to the other processes; absent when this process is alone. */
  publish?: (report: ViewerReport) => void;
  /** A livestream with local members whose total changed since they were last told. */
  onChange: (livestreamId: string, count: number) => void;
  /** Ticks between full reports; a process not heard from for three of these periods is forgotten. */
  heartbeatTicks: number;
  tickMs: number;
  now?: () => number;
}

interface Local {
  /** Connections in the room: viewers and moderators; all of them are told the count. */
  members: number;
  /** Connections counted as viewers. */
  viewers: number;
  /** The total the members were last told. */
  announced: number | undefined;
}

/**
 * Viewer counts across every Axon process: each process counts its own connections and gossips them to
 * the others (full reports as a heartbeat, changes in between), so that total() answers synchronously.
 * The caller drives tick(); each tick sends what changed and tells local members a changed total, which
 * throttles `viewers` events to one per livestream per tick.
 */
export class ViewerCounter {
  private readonly node = randomUUID();
  private readonly local = new Map<string, Local>();
  private readonly remote = new Map<string, { seenAt: number; counts: Map<string, number> }>();
  private readonly changed = new Set<string>();
  private ticks = 0;
  private fullDue = true;
  private readonly now: () => number;

  constructor(private readonly options: ViewerCounterOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  join(livestreamId: string, counted: boolean): void {
    const entry = this.local.get(livestreamId) ?? { members: 0, viewers: 0, announced: undefined };
    entry.members++;
    if (counted) {
      entry.viewers++;
      this.changed.add(livestreamId);
    }
    this.local.set(livestreamId, entry);
  }

  leave(livestreamId: string, counted: boolean): void {
    const entry = this.local.get(livestreamId);
    if (!entry) return;
    entry.members--;
    if (counted) {
      entry.viewers--;
      this.changed.add(livestreamId);
    }
    if (entry.members === 0) this.local.delete(livestreamId);
  }

  total(livestreamId: string): number {
    let sum = this.local.get(livestreamId)?.viewers ?? 0;
    for (const { counts } of this.remote.values()) sum += counts.get(livestreamId) ?? 0;
    return sum;
  }

  receive(report: ViewerReport): void {
    let known = this.remote.get(report.node);
    // A process we have not heard of does not know us either: introduce ourselves on the next tick.
    if (!known) this.fullDue = true;
    if (!known || report.full) {
      known = { seenAt: 0, counts: new Map() };
      this.remote.set(report.node, known);
    }
    known.seenAt = this.now();
    for (const [livestreamId, count] of Object.entries(report.counts)) {
      if (count > 0) known.counts.set(livestreamId, count);
      else known.counts.delete(livestreamId);
    }
  }

  tick(): void {
    this.ticks++;
    this.report();
    const forgetBefore = this.now() - 3 * this.options.heartbeatTicks * this.options.tickMs;
    for (const [node, known] of this.remote) if (known.seenAt < forgetBefore) this.remote.delete(node);
    for (const [livestreamId, entry] of this.local) {
      const total = this.total(livestreamId);
      if (entry.announced === total) continue;
      entry.announced = total;
      this.options.onChange(livestreamId, total);
    }
  }

  /** Tells the other processes that this one has no viewers any more (it is shutting down). */
  close(): void {
    this.local.clear();
    this.options.publish?.({ node: this.node, full: true, counts: {} });
  }

  private report(): void {
    const publish = this.options.publish;
    if (!publish) return;
    const full = this.fullDue || this.ticks % this.options.heartbeatTicks === 0;
    if (!full && this.changed.size === 0) return;
    const counts: Record<string, number> = {};
    if (full) {
      for (const [livestreamId, entry] of this.local) if (entry.viewers > 0) counts[livestreamId] = entry.viewers;
    } else {
      for (const livestreamId of this.changed) counts[livestreamId] = this.local.get(livestreamId)?.viewers ?? 0;
    }
    this.fullDue = false;
    this.changed.clear();
    publish({ node: this.node, full, counts });
  }
}
