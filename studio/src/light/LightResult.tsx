import { useTranslation } from 'react-i18next';
import type { Schemas } from '../api/client';
import { JsonView } from '../runs/JsonView';

/** A run's outcome as the light app's user sees it: its status, then its output or error. */
export function LightResult({ run }: { run: Schemas['Run'] }) {
  const { t } = useTranslation('market');
  return (
    <section className={`card light-result light-result-${run.status}`} aria-labelledby="light-result-title" data-testid="light-result" data-status={run.status}>
      <h2 id="light-result-title">{t('light.resultTitle')}</h2>
      <p role="status">
        <strong>{t(`light.statuses.${run.status}`, { defaultValue: run.status })}</strong>
      </p>
      {run.error ? (
        <p className="error-note" data-testid="light-error">
          {run.error}
        </p>
      ) : null}
      {run.status === 'succeeded' ? <JsonView label={t('light.output')} value={run.output} testId="light-output" /> : null}
    </section>
  );
}
