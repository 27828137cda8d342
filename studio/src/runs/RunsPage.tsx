// The runs of the tenant, newest first, filtered by flow, status and time,
// a page at a time ("Load more" follows the API's cursor). The filters live
// in the address so that a filtered list can be shared and reloaded.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, ok, type Schemas } from '../api/client';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { useLatestRequest } from '../ui/useLatestRequest';
import { useLoad } from '../ui/useLoad';
import { RunsFilters, type RunsFilter } from './RunsFilters';
import { StatusBadge } from './StatusBadge';
import { formatInstant, localToInstant } from './format';
import './runs.css';

type Summary = Schemas['RunSummary'];

const PAGE = 50;

function filterOf(params: URLSearchParams): RunsFilter {
  return {
    flow: params.get('flow') ?? '',
    status: params.get('status') ?? '',
    since: params.get('since') ?? '',
    before: params.get('before') ?? '',
  };
}

export default function RunsPage() {
  const { t, i18n } = useTranslation('runs');
  const tenant = useTenant();
  const [params, setParams] = useSearchParams();
  const filter = filterOf(params);
  const [runs, setRuns] = useState<Summary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const flows = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/flows', { params: { path: { tenant: tenant.name } } })),
    [tenant.name],
  );

  const key = params.toString();
  // Only the latest request's answer is shown: the list must be the current filter's.
  const requests = useLatestRequest();
  const load = useCallback(
    async (cursor: string | null) => {
      const isLatest = requests.begin();
      setLoading(true);
      setError(null);
      try {
        const current = filterOf(new URLSearchParams(key));
        const page = await ok(
          api.GET('/api/v1/tenants/{tenant}/runs', {
            params: {
              path: { tenant: tenant.name },
              query: {
                flow: current.flow || undefined,
                status: (current.status || undefined) as Summary['status'] | undefined,
                since: localToInstant(current.since),
                before: localToInstant(current.before),
                cursor: cursor ?? undefined,
                limit: PAGE,
              },
            },
          }),
        );
        if (!isLatest()) return;
        setRuns((before) => (cursor ? [...before, ...page.runs] : page.runs));
        setNext(page.next ?? null);
      } catch (failure) {
        if (isLatest()) setError(failure);
      } finally {
        if (isLatest()) setLoading(false);
      }
    },
    [tenant.name, key, requests],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const apply = (chosen: RunsFilter) => {
    const next = new URLSearchParams();
    for (const [name, value] of Object.entries(chosen)) if (value) next.set(name, value);
    setParams(next);
  };

  return (
    <section className="runs-page">
      <div className="row">
        <h1>{t('list.title')}</h1>
        <span className="spacer" />
        {filter.flow && tenant.may('run') ? (
          <Link className="runs-link-button" to={`/t/${tenant.name}/flows/${encodeURIComponent(filter.flow)}/run`}>
            {t('list.startFlow', { flow: filter.flow })}
          </Link>
        ) : null}
        <button type="button" onClick={() => void load(null)}>
          {t('list.refresh')}
        </button>
      </div>
      <RunsFilters key={key} value={filter} flows={(flows.data?.flows ?? []).map((f) => f.name)} onApply={apply} />
      <ErrorNote error={error ?? flows.error} />
      {runs.length === 0 && !loading && !error ? <p>{t('list.empty')}</p> : null}
      {runs.length > 0 ? (
        <table className="list runs-table">
          <caption className="runs-visually-hidden">{t('list.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('list.run')}</th>
              <th scope="col">{t('list.flow')}</th>
              <th scope="col">{t('list.version')}</th>
              <th scope="col">{t('list.status')}</th>
              <th scope="col">{t('list.created')}</th>
              <th scope="col">{t('list.updated')}</th>
              <th scope="col">{t('list.error')}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-run={run.id}>
                <td>
                  <Link to={`/t/${tenant.name}/runs/${run.id}`}>
                    <code>{run.id}</code>
                  </Link>
                </td>
                <td>{run.flow}</td>
                <td>{run.version ?? '–'}</td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td>{formatInstant(run.created_at, i18n.language)}</td>
                <td>{formatInstant(run.updated_at, i18n.language)}</td>
                <td className="runs-error-cell">{run.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {loading ? <p role="status">{t('list.loading')}</p> : null}
      {next && !loading ? (
        <button type="button" onClick={() => void load(next)}>
          {t('list.loadMore')}
        </button>
      ) : null}
    </section>
  );
}
