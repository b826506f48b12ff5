import type { Livestream, LivestreamList } from '../../../shared/livestream.js';

/** More pages than this means something is wrong with the cursor, not that there are that many livestreams. */
const MAX_PAGES = 50;

/** Every livestream, following nextCursor page by page. */
export async function listAll(list: (cursor?: string) => Promise<LivestreamList>): Promise<Livestream[]> {
  const items: Livestream[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await list(cursor);
    items.push(...result.items);
    if (!result.nextCursor || seen.has(result.nextCursor)) break;
    seen.add(result.nextCursor);
    cursor = result.nextCursor;
  }
  return items;
}
