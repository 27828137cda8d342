import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useAction } from '../ui/useAction';
import { SchedulePreview } from './SchedulePreview';
import { knownZones, localZone } from './zones';

/** Add a cron schedule to a flow: expression, IANA zone, the run's input (JSON); with a live preview. */
export function ScheduleForm({ flow, onAdded }: { flow: string; onAdded: () => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [cron, setCron] = useState('0 9 * * 1-5');
  const [timezone, setTimezone] = useState(localZone);
  const [input, setInput] = useState('{}');
  const [inputError, setInputError] = useState<string | null>(null);
  const action = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.trim() === '' ? '{}' : input);
      setInputError(null);
    } catch (why) {
      setInputError(String(why));
      return;
    }
    const added = await action.run(() =>
      ok(
        api.POST('/api/v1/tenants/{tenant}/flows/{name}/schedules', {
          params: { path: { tenant: tenant.name, name: flow } },
          body: { cron: cron.trim(), timezone: timezone.trim() || undefined, input: parsed as never },
        }),
      ),
    );
    if (added) onAdded();
  };
  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)}>
      <h3>{t('schedules.addTitle')}</h3>
      <div className="admin-columns">
        <div>
          <label>
            {t('schedules.cron')}
            <input value={cron} required className="admin-mono" onChange={(e) => setCron(e.target.value)} aria-describedby="cron-hint" />
          </label>
          <p id="cron-hint" className="hint">
            {t('schedules.cronHint')}
          </p>
          <label>
            {t('schedules.timezone')}
            <input value={timezone} list="admin-zones" onChange={(e) => setTimezone(e.target.value)} />
          </label>
          <datalist id="admin-zones">
            {knownZones().map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <label>
            {t('schedules.input')}
            <textarea
              value={input}
              rows={4}
              className="admin-mono"
              onChange={(e) => setInput(e.target.value)}
              aria-invalid={inputError ? true : undefined}
            />
          </label>
          {inputError ? (
            <p className="error-note" role="alert">
              {t('schedules.inputInvalid', { why: inputError })}
            </p>
          ) : null}
        </div>
        <SchedulePreview cron={cron} timezone={timezone.trim()} />
      </div>
      <ErrorNote error={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        {t('schedules.add')}
      </button>
    </form>
  );
}
