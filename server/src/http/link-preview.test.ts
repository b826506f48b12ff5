import { describe, expect, it } from 'vitest';
import { linkPreviewTags, withLinkPreview } from './link-preview.js';

const PAGE = '<!doctype html>\n<html><head><meta charset="utf-8"><title>Axon</title></head><body><div id="app"></div></body></html>';
const livestream = {
  name: `Talk "<script>alert('x')</script>" & $& more`,
  playerUrl: 'https://tv.example.org/watch/abcdefgh1234',
  thumbnailUrl: 'https://tv.example.org/live/abcdefgh1234/thumbnail.jpg?v=abc&x="y"',
};

describe('link preview tags', () => {
  it('describes the livestream as a video with its picture as a large card', () => {
    expect(linkPreviewTags(livestream)).toEqual([
      '<meta property="og:site_name" content="Axon">',
      '<meta property="og:title" content="Talk &quot;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot; &amp; $&amp; more">',
      '<meta property="og:type" content="video.other">',
      '<meta property="og:url" content="https://tv.example.org/watch/abcdefgh1234">',
      '<meta property="og:image" content="https://tv.example.org/live/abcdefgh1234/thumbnail.jpg?v=abc&amp;x=&quot;y&quot;">',
      '<meta name="twitter:image" content="https://tv.example.org/live/abcdefgh1234/thumbnail.jpg?v=abc&amp;x=&quot;y&quot;">',
      '<meta name="twitter:card" content="summary_large_image">',
      '<meta name="twitter:title" content="Talk &quot;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot; &amp; $&amp; more">',
    ]);
  });

  it('offers the small card and no image before the first picture', () => {
    const tags = linkPreviewTags({ ...livestream, thumbnailUrl: null });
    expect(tags).toContain('<meta name="twitter:card" content="summary">');
    expect(tags.some((t) => t.includes('image'))).toBe(false);
  });

  it('puts the tags at the end of the head and leaves the rest of the page as it was', () => {
    const html = withLinkPreview(PAGE, livestream);
    const [head, body] = html.split('</head>');
    expect(head!.startsWith('<!doctype html>\n<html><head><meta charset="utf-8"><title>Axon</title><meta property="og:site_name"')).toBe(true);
    expect(body).toBe('<body><div id="app"></div></body></html>');
    // The name cannot open an element or end an attribute.
    expect(html).not.toContain('<script>');
    expect(html.match(/<meta /g)).toHaveLength(9);
  });

  it('leaves a page without a head alone', () => {
    expect(withLinkPreview('<p>no head</p>', livestream)).toBe('<p>no head</p>');
  });
});
