import type { Livestream } from '../../../shared/livestream.js';
import { h } from '../dom.js';
import { LivestreamCard, type CardActions } from './livestream-card.js';

/** The dashboard's cards, kept by id: a refresh updates cards in place instead of rebuilding them. */
export class LivestreamList {
  readonly element = h('div', { className: 'card-list', attrs: { 'data-testid': 'livestreams' } });
  private readonly empty = h('p', { className: 'empty', textContent: 'No livestreams yet. Create one above.' });
  private readonly cards = new Map<string, LivestreamCard>();

  constructor(private readonly actions: CardActions) {}

  /** Shows exactly these livestreams, in this order. */
  show(items: readonly Livestream[]): void {
    const seen = new Set<string>();
    const elements = items.map((ls) => {
      seen.add(ls.id);
      let card = this.cards.get(ls.id);
      if (card) card.update(ls);
      else {
        card = new LivestreamCard(ls, this.actions);
        this.cards.set(ls.id, card);
      }
      return card.element;
    });
    for (const id of [...this.cards.keys()]) if (!seen.has(id)) this.cards.delete(id);
    // Only misplaced cards move, so open <details> and focus survive a refresh.
    if (elements.length === 0) this.element.replaceChildren(this.empty);
    else {
      this.empty.remove();
      for (const [index, element] of elements.entries()) {
        if (this.element.children[index] !== element) this.element.insertBefore(element, this.element.children[index] ?? null);
      }
      while (this.element.children.length > elements.length) this.element.lastElementChild?.remove();
    }
  }
}
