import { useTranslation } from 'react-i18next';
import { pretty } from './format';

/** A labelled, read-only JSON value; "none" when there is nothing. */
export function JsonView({ label, value, testId }: { label: string; value: unknown; testId?: string }) {
  const { t } = useTranslation('runs');
  const empty = value === undefined || value === null;
  return (
    <section className="runs-json" aria-label={label}>
      <h4>{label}</h4>
      {empty ? (
        <p className="runs-muted">{t('node.none')}</p>
      ) : (
        <pre tabIndex={0} data-testid={testId}>
          {pretty(value)}
        </pre>
      )}
    </section>
  );
}
