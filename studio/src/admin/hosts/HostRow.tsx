import { useTranslation } from 'react-i18next';
import { api, ok, type Schemas } from '../../api/client';
import { useTenant } from '../../session/session';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { Time } from '../ui/Time';
import { labelPairs } from './labels';

type Host = Schemas['Host'];

/** One host of the list: its labels as chips; edit and delete for those who manage hosts. */
export function HostRow({
  host,
  editable,
  onEdit,
  onDeleted,
}: {
  host: Host;
  editable: boolean;
  onEdit: () => void;
  onDeleted: () => void;
}) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const remove = async () => {
    await ok(api.DELETE('/api/v1/tenants/{tenant}/hosts/{id}', { params: { path: { tenant: tenant.name, id: host.id } } }));
    onDeleted();
  };
  const pairs = labelPairs(host.labels);
  return (
    <tr data-host={host.id}>
      <td className="admin-mono">{host.id}</td>
      <td className="admin-mono">{host.hostname}</td>
      <td className="admin-mono">{host.ip}</td>
      <td>
        {pairs.length === 0 ? (
          <span className="hint">{t('hosts.noLabels')}</span>
        ) : (
          <ul className="admin-chips" aria-label={t('hosts.labelsOf', { id: host.id })}>
            {pairs.map((pair) => (
              <li key={pair} className="admin-badge admin-mono">
                {pair}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        {host.agent ? (
          <>
            {host.agent} <span className="hint">{t('hosts.lastSeen')}</span> <Time at={host.last_seen} />
          </>
        ) : (
          <span className="hint">{t('hosts.noAgent')}</span>
        )}
      </td>
      {editable ? (
        <td>
          <div className="row">
            <button type="button" onClick={onEdit} aria-label={t('hosts.editOf', { id: host.id })}>
              {t('hosts.edit')}
            </button>
            <ConfirmButton
              className="danger"
              label={t('hosts.delete')}
              question={t('hosts.deleteQuestion', { id: host.id, hostname: host.hostname })}
              onConfirm={remove}
            />
          </div>
        </td>
      ) : null}
    </tr>
  );
}
