import type { ReactionBurst, ReactionEmoji } from '../../../shared/chat.js';

/** Adds up reactions per livestream and emoji between flushes, so a burst becomes a few events. */
export class ReactionBatcher {
  private pending = new Map<string, Map<ReactionEmoji, number>>();

  add(livestreamId: string, emoji: ReactionEmoji): void {
    let counts = this.pending.get(livestreamId);
    if (!counts) {
      counts = new Map();
      this.pending.set(livestreamId, counts);
    }
    counts.set(emoji, (counts.get(emoji) ?? 0) + 1);
  }

  /** What was added since the last drain, one burst per livestream and emoji. */
  drain(): { livestreamId: string; burst: ReactionBurst }[] {
    const out: { livestreamId: string; burst: ReactionBurst }[] = [];
    for (const [livestreamId, counts] of this.pending) {
      for (const [emoji, count] of counts) out.push({ livestreamId, burst: { emoji, count } });
    }
    this.pending = new Map();
    return out;
  }
}
