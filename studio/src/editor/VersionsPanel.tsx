// Published versions; choosing two opens their visual diff.
import { useState, memo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';

export interface VersionSummary {
  version: number;
  published_at?: string;
  content_hash?: string;
}

export const VersionsPanel = memo(function VersionsPanel({ tenant, name, versions }: { tenant: string; name: string; versions: VersionSummary[] }) {
  const { t } = useTranslation('editor');
  const [chosen, setChosen] = useState<number[]>([]);
  const toggle = (version: number, on: boolean) =>
    setChosen((list) => (on ? [...list.filter((v) => v !== version), version].slice(-2) : list.filter((v) => v !== version)));
  const [from, to] = [...chosen].sort((a, b) => a - b);
  return (
    <section className="editor-versions" aria-label={t('versions.title')}>
      <h2>{t('versions.title')}</h2>
      {versions.length === 0 ? (
        <p className="hint">{t('versions.none')}</p>
      ) : (
        <>
          <ul>
            {[...versions].reverse().map((v) => (
              <li key={v.version}>
                <label className="inline">
                  <input type="checkbox" checked={chosen.includes(v.version)} onChange={(e) => toggle(v.version, e.target.checked)} />
                  {t('versions.item', { version: v.version, at: v.published_at ? new Date(v.published_at).toLocaleString() : '' })}
                </label>
              </li>
            ))}
          </ul>
          {from !== undefined && to !== undefined ? (
            <Link to={`/t/${tenant}/flows/${encodeURIComponent(name)}/diff?from=${from}&to=${to}`}>{t('versions.compare', { from, to })}</Link>
          ) : (
            <p className="hint">{t('versions.chooseTwo')}</p>
          )}
        </>
      )}
    </section>
  );
});
