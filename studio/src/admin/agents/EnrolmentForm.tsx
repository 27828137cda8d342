import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { LabelRowsEditor } from '../hosts/LabelRowsEditor';
import { labelMap, repeatedKeys, type LabelRow } from '../hosts/labels';
import { CopyButton } from '../ui/CopyButton';
import { ShownOnce } from '../ui/ShownOnce';
import { expiresIn } from '../ui/forms';
import { useAction } from '../ui/useAction';
import { agentCommand } from './agentCommand';

/**
 * Make an enrolment token (labels every host enrolled with it gets, an
 * optional expiry): the token is shown once, with the command to run on a host.
 */
export function EnrolmentForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [rows, setRows] = useState<LabelRow[]>([]);
  const [expiry, setExpiry] = useState('7d');
  const [made, setMade] = useState<{ token: string; command: string } | null>(null);
  const action = useAction();
  const commandField = useRef<HTMLTextAreaElement>(null);
  const repeated = repeatedKeys(rows);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMade(null);
    const labels = labelMap(rows);
    const answer = await action.run(() =>
      ok(
        api.POST('/api/v1/tenants/{tenant}/agents/enrolments', {
          params: { path: { tenant: tenant.name } },
          body: { labels, ...expiresIn(expiry) },
        }),
      ),
    );
    if (answer) {
      setMade({ token: answer.token, command: agentCommand(window.location.origin, answer.token, labels) });
      onCreated();
    }
  };
  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)}>
      <h3>{t('agents.enrolTitle')}</h3>
      <p className="hint">{t('agents.enrolHint')}</p>
      <LabelRowsEditor rows={rows} onChange={setRows} />
      {repeated.length > 0 ? (
        <p className="error-note" role="alert">
          {t('hosts.repeatedKeys', { keys: repeated.join(', ') })}
        </p>
      ) : null}
      <label>
        {t('agents.expiresIn')}
        <input value={expiry} onChange={(e) => setExpiry(e.target.value)} aria-describedby="enrolment-expiry-hint" />
      </label>
      <p id="enrolment-expiry-hint" className="hint">
        {t('tokens.expiresHint')}
      </p>
      <ErrorNote error={action.error} />
      <button type="submit" className="primary" disabled={action.busy || repeated.length > 0}>
        {t('agents.enrol')}
      </button>
      {made ? (
        <>
          <ShownOnce label={t('agents.token')} value={made.token} onDismiss={() => setMade(null)} />
          <div className="row">
            <label className="admin-grow">
              {t('agents.command')}
              <textarea
                ref={commandField}
                readOnly
                rows={3}
                value={made.command}
                className="admin-mono"
                onFocus={(e) => e.target.select()}
              />
            </label>
            <CopyButton value={made.command} what={t('agents.command')} fallback={() => commandField.current?.select()} />
          </div>
        </>
      ) : null}
    </form>
  );
}
