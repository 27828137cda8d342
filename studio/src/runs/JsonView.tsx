import { useTranslation } from 'react-i18next';
import { pretty } from './format';

/** A labelled, read-only JSON value; "none" when there is nothing. */
export function JsonView({
  label,
  value,
  testId,
  level = 3,
}: {
  label: string;
  value: unknown;
  testId?: string;
  /** The heading level that fits where the view stands. */
  level?: 3 | 4 | 5;
}) {
  const { t } = useTranslation('runs');
  const empty = value === undefined || value === null;
  const Heading = `h${level}` as const;
  return (
    <section className="runs-json" aria-label={label}>
      <Heading>{label}</Heading>
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
