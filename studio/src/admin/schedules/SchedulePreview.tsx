import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { Time } from '../ui/Time';

/** How long typing must pause before the preview asks the server. */
const PAUSE_MS = 300;

/** When a cron expression would fire next in `timezone`, as the server computes it. */
export function SchedulePreview({ cron, timezone }: { cron: string; timezone: string }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [next, setNext] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setNext(null);
    setError(null);
    if (cron.trim() === '') return;
    let current = true;
    const timer = setTimeout(() => {
      ok(
        api.GET('/api/v1/tenants/{tenant}/schedules/preview', {
          params: { path: { tenant: tenant.name }, query: { cron, timezone: timezone || 'UTC', count: 5 } },
        }),
      )
        .then((answer) => current && setNext(answer.next))
        .catch((failure: unknown) => current && setError(failure));
    }, PAUSE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [cron, timezone, tenant.name]);
  return (
    <div className="admin-preview" aria-live="polite">
      <h4>{t('schedules.preview', { zone: timezone || 'UTC' })}</h4>
      <ErrorNote error={error} />
      {next ? (
        <ol data-testid="schedule-preview">
          {next.map((at) => (
            <li key={at}>
              <Time at={at} zone={timezone || 'UTC'} />
            </li>
          ))}
        </ol>
      ) : null}
      {!next && !error ? <p className="hint">{cron.trim() === '' ? t('schedules.previewEmpty') : t('common:state.loading')}</p> : null}
    </div>
  );
}
