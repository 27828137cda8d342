// Every problem of the draft, as the server's validator finds them; a
// problem on a node selects it and brings it into view.
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Problem } from '../core/core';

export const ProblemsPanel = memo(function ProblemsPanel({
  problems,
  checking,
  onFocusNode,
}: {
  problems: Problem[] | null;
  /** The problems are the previous document's: a check of the current one runs. */
  checking: boolean;
  onFocusNode: (id: string) => void;
}) {
  const { t } = useTranslation('editor');
  return (
    <section aria-label={t('problems.title')} aria-busy={checking} className="editor-problems-panel">
      <h2>
        {t('problems.title')} {problems ? `(${problems.length})` : ''}
      </h2>
      <div role="status" aria-live="polite">
        {problems === null ? (
          <p className="hint">{t('problems.checking')}</p>
        ) : problems.length === 0 ? (
          <p className="editor-problems-empty">{t('problems.none')}</p>
        ) : null}
      </div>
      {problems && problems.length > 0 && (
        <ul className="editor-problems" data-testid="problems">
          {problems.map((p, i) => (
            <li key={`${p.node ?? ''}:${p.message}:${i}`}>
              {p.node ? (
                <button type="button" onClick={() => onFocusNode(p.node!)} data-node={p.node}>
                  <strong>{p.node}</strong>: {p.message}
                </button>
              ) : (
                <span>{p.message}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
});
