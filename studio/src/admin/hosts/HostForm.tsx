import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok, type Schemas } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useAction } from '../ui/useAction';
import { labelMap, labelRows, repeatedKeys } from './labels';
import { LabelRowsEditor } from './LabelRowsEditor';

type Host = Schemas['Host'];

/**
 * Add a host, or change one (`PUT …/hosts/{id}`): its id is its address in
 * the inventory, so an existing host's id is shown, not edited. The form
 * opens in place of the button or under the row that asked for it, so it
 * takes the focus. A refusal's message names every problem of the host.
 */
export function HostForm({ host, onSaved, onCancel }: { host: Host | null; onSaved: (host: Host) => void; onCancel: () => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [id, setId] = useState(host?.id ?? '');
  const [hostname, setHostname] = useState(host?.hostname ?? '');
  const [ip, setIp] = useState(host?.ip ?? '');
  const [labels, setLabels] = useState(labelRows(host?.labels));
  const action = useAction();
  const repeated = repeatedKeys(labels);
  const title = host ? t('hosts.editTitle', { id: host.id }) : t('hosts.addTitle');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await action.run(() =>
      ok(
        api.PUT('/api/v1/tenants/{tenant}/hosts/{id}', {
          params: { path: { tenant: tenant.name, id: id.trim() } },
          body: { hostname: hostname.trim(), ip: ip.trim(), labels: labelMap(labels) },
        }),
      ),
    );
    if (saved) onSaved(saved);
  };
  return (
    <form className="admin-form" aria-label={title} onSubmit={(e) => void submit(e)}>
      <h3>{title}</h3>
      {host ? null : (
        <label>
          {t('hosts.id')}
          <input value={id} required autoFocus className="admin-mono" autoComplete="off" onChange={(e) => setId(e.target.value)} />
        </label>
      )}
      <label>
        {t('hosts.hostname')}
        <input
          value={hostname}
          required
          autoFocus={host !== null}
          className="admin-mono"
          autoComplete="off"
          onChange={(e) => setHostname(e.target.value)}
        />
      </label>
      <label>
        {t('hosts.ip')}
        <input value={ip} required className="admin-mono" autoComplete="off" onChange={(e) => setIp(e.target.value)} />
      </label>
      <LabelRowsEditor rows={labels} onChange={setLabels} />
      {repeated.length > 0 ? (
        <p className="error-note" role="alert">
          {t('hosts.repeatedKeys', { keys: repeated.join(', ') })}
        </p>
      ) : null}
      <ErrorNote error={action.error} />
      <div className="row">
        <button type="submit" className="primary" disabled={action.busy || repeated.length > 0}>
          {host ? t('hosts.save') : t('hosts.add')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common:actions.cancel')}
        </button>
      </div>
    </form>
  );
}
