import { describe, expect, it } from 'vitest';
import { escapeHtml, markdownHtml } from '../../src/market/markdown';

// DOMPurify needs a DOM (the browser journey checks what survives it); the
// Markdown step before it is checked here: raw HTML never reaches a parser.
describe('README Markdown', () => {
  it('renders Markdown', () => {
    expect(markdownHtml('# Title\n\nSome **bold** text.')).toBe('<h1>Title</h1>\n<p>Some <strong>bold</strong> text.</p>\n');
  });

  it('shows raw HTML as text, block and inline', () => {
    const html = markdownHtml('<script>alert(1)</script>\n\nan <img src=x onerror="alert(2)"> inline');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(2)&quot;&gt;');
  });

  it('escapes the five characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
