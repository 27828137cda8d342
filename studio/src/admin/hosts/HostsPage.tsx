import { Fragment, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok, type Schemas } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLatestRequest } from '../../ui/useLatestRequest';
import { useAction } from '../ui/useAction';
import { HostExport } from './HostExport';
import { HostForm } from './HostForm';
import { HostImport } from './HostImport';
import { HostRow } from './HostRow';
import { SelectorFilter } from './SelectorFilter';

type Host = Schemas['Host'];

const PAGE = 100;

/**
 * The tenant's host inventory (CMDB): hosts by label selector, a page at a
 * time. Everyone who reads sees it and may export it; those who manage
 * hosts add, edit, delete and import.
 */
export function HostsPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const editable = tenant.may('manage_hosts');
  const [selector, setSelector] = useState('');
  const [hosts, setHosts] = useState<Host[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const action = useAction();
  // Only the latest request's answer is shown (selectors applied in quick succession).
  const requests = useLatestRequest();

  const load = useCallback(
    async (after: string | null, shown: Host[]) => {
      const isLatest = requests.begin();
      const page = await action.run(() =>
        ok(
          api.GET('/api/v1/tenants/{tenant}/hosts', {
            params: {
              path: { tenant: tenant.name },
              query: { limit: PAGE, ...(selector ? { selector } : {}), ...(after === null ? {} : { after }) },
            },
          }),
        ),
      );
      if (!isLatest()) return;
      if (!page) {
        // A refused selector: its message is shown, not hosts it did not pick.
        setHosts([]);
        setNext(null);
        setLoaded(false);
        return;
      }
      setHosts([...shown, ...page.hosts]);
      setNext(page.next);
      setLoaded(true);
    },
    [action.run, requests, tenant.name, selector],
  );
  const reload = useCallback(() => void load(null, []), [load]);
  useEffect(reload, [reload]);

  const columns = editable ? 6 : 5;
  return (
    <section aria-labelledby="hosts-title">
      <h2 id="hosts-title">{t('hosts.title')}</h2>
      <p className="hint">{t('hosts.intro')}</p>
      {editable ? (
        <div className="admin-columns">
          <HostImport onImported={reload} />
          <div className="card">
            {adding ? (
              <HostForm
                host={null}
                onCancel={() => setAdding(false)}
                onSaved={() => {
                  setAdding(false);
                  reload();
                }}
              />
            ) : (
              <button type="button" className="primary" onClick={() => setAdding(true)}>
                {t('hosts.addTitle')}
              </button>
            )}
          </div>
        </div>
      ) : (
        <p className="hint">{t('hosts.readOnly')}</p>
      )}
      <div className="row admin-toolbar">
        <h3>{t('hosts.list')}</h3>
        <span className="spacer" />
        <HostExport />
      </div>
      {/* The same selector again reads the list again. */}
      <SelectorFilter applied={selector} onApply={(wanted) => (wanted === selector ? reload() : setSelector(wanted))} />
      <ErrorNote error={action.error} />
      {loaded && hosts.length === 0 ? <p>{selector ? t('hosts.noneMatch') : t('hosts.none')}</p> : null}
      {hosts.length > 0 ? (
        <table className="list" aria-label={t('hosts.list')}>
          <thead>
            <tr>
              <th scope="col">{t('hosts.id')}</th>
              <th scope="col">{t('hosts.hostname')}</th>
              <th scope="col">{t('hosts.ip')}</th>
              <th scope="col">{t('hosts.labels')}</th>
              <th scope="col">{t('hosts.agent')}</th>
              {editable ? <th scope="col">{t('columns.actions')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {hosts.map((host) => (
              <Fragment key={host.id}>
                <HostRow
                  host={host}
                  editable={editable}
                  onEdit={() => setEditing(editing === host.id ? null : host.id)}
                  onDeleted={() => setHosts((old) => old.filter((h) => h.id !== host.id))}
                />
                {editing === host.id ? (
                  <tr className="admin-edit-row">
                    <td colSpan={columns}>
                      <HostForm
                        host={host}
                        onCancel={() => setEditing(null)}
                        onSaved={(saved) => {
                          setEditing(null);
                          setHosts((old) => old.map((h) => (h.id === saved.id ? saved : h)));
                        }}
                      />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      ) : null}
      {next !== null ? (
        <button type="button" onClick={() => void load(next, hosts)} disabled={action.busy}>
          {t('common:actions.loadMore')}
        </button>
      ) : null}
    </section>
  );
}
