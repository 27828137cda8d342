import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok, type Schemas } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { Time } from '../ui/Time';
import { useAction } from '../ui/useAction';
import { appendPage, nextCursor } from './paging';

const PAGE = 50;

type Entry = Schemas['AuditEntry'];

/** The tenant's audit log, newest first, a page at a time (`before` the last id shown). */
export function AuditPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState<number | null>(null);
  const [loaded, setLoaded] = useState(false);
  const action = useAction();

  const load = useCallback(
    async (before: number | null, shown: Entry[]) => {
      const page = await action.run(() =>
        ok(
          api.GET('/api/v1/tenants/{tenant}/audit', {
            params: { path: { tenant: tenant.name }, query: { limit: PAGE, ...(before === null ? {} : { before }) } },
          }),
        ),
      );
      if (!page) return;
      const all = appendPage(shown, page.entries);
      setEntries(all);
      setCursor(nextCursor(all, page.entries.length, PAGE));
      setLoaded(true);
    },
    [action.run, tenant.name],
  );
  useEffect(() => {
    void load(null, []);
  }, [load]);

  return (
    <section aria-labelledby="audit-title">
      <div className="row admin-toolbar">
        <h2 id="audit-title">{t('audit.title')}</h2>
        <span className="spacer" />
        <button type="button" onClick={() => void load(null, [])} disabled={action.busy}>
          {t('common:actions.refresh')}
        </button>
      </div>
      <ErrorNote error={action.error} />
      {loaded && entries.length === 0 ? <p>{t('audit.none')}</p> : null}
      {entries.length > 0 ? (
        <table className="list" aria-label={t('audit.title')}>
          <thead>
            <tr>
              <th scope="col">{t('audit.at')}</th>
              <th scope="col">{t('audit.who')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.status')}</th>
              <th scope="col">{t('audit.path')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>
                  <Time at={entry.at} />
                </td>
                <td>{entry.who}</td>
                <td className="admin-mono">{entry.action}</td>
                <td className={entry.status >= 400 ? 'admin-status-refused' : 'admin-status-ok'}>{entry.status}</td>
                <td className="admin-mono admin-break">{entry.resource}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {cursor !== null ? (
        <button type="button" onClick={() => void load(cursor, entries)} disabled={action.busy}>
          {t('common:actions.loadMore')}
        </button>
      ) : null}
    </section>
  );
}
