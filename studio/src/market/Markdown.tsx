import { useMemo } from 'react';
import { renderMarkdown } from './markdown';

/** Markdown from an app's publisher, rendered and sanitised (see `markdown.ts`). */
export function Markdown({ text, label }: { text: string; label: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  // The HTML is DOMPurify's output: no script, handler or javascript: URL survives it.
  return <div className="market-readme" aria-label={label} role="region" dangerouslySetInnerHTML={{ __html: html }} />;
}
