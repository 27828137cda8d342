// An app's README, Markdown written by another tenant: turned into HTML by
// `marked` — raw HTML inside it is shown as text, never parsed — and then
// cleaned by DOMPurify (no scripts, no event handlers, no `javascript:`
// links, no forms or frames) before the page shows it.
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const markdown = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  // Raw HTML (`<script>`, `<img onerror=…>`) stays text: not even an inert parse sees its attributes.
  renderer: { html: (token) => escapeHtml(token.text) },
});

let hooked = false;
function purifier() {
  if (!hooked) {
    // Links leave the studio in a new tab and carry no opener or referrer.
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.getAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    });
    hooked = true;
  }
  return DOMPurify;
}

/** `text` (Markdown) as HTML, its raw HTML escaped; not yet sanitised. */
export function markdownHtml(text: string): string {
  return markdown.parse(text) as string;
}

/** Safe HTML for `text` (Markdown). */
export function renderMarkdown(text: string): string {
  const html = markdownHtml(text);
  return purifier().sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style'],
  });
}
