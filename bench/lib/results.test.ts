import { describe, expect, it } from 'vitest';
import { mergeSection } from './results.js';

describe('mergeSection', () => {
  it('starts a new file with a title and the section', () => {
    const text = mergeSection('', 'spine', '## spine\n| a |');
    expect(text.startsWith('# Axon benchmark results')).toBe(true);
    expect(text).toContain('<!-- bench:spine -->\n## spine\n| a |\n<!-- /bench:spine -->');
  });

  it('replaces only the named section and appends unknown ones', () => {
    let text = mergeSection('', 'spine', 'old spine');
    text = mergeSection(text, 'origin', 'origin v1');
    text = mergeSection(text, 'spine', 'new spine');
    expect(text).toContain('new spine');
    expect(text).not.toContain('old spine');
    expect(text).toContain('origin v1');
    expect(text.indexOf('new spine')).toBeLessThan(text.indexOf('origin v1'));
    expect(text.match(/<!-- bench:spine -->/g)).toHaveLength(1);
  });
});
