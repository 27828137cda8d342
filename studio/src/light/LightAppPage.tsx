// `/light/:tenant/:flow`: a flow offered as a light app — its form, a run
// button, the result, and the caller's own past runs. Nothing else.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { api, ok, type Schemas } from '../api/client';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { RunForm } from '../runs/RunForm';
import { Time } from '../admin/ui/Time';
import { LightFrame } from './LightFrame';
import { LightResult } from './LightResult';
import { isFinal } from './shareLink';
import '../runs/runs.css';

type Run = Schemas['Run'];

export default function LightAppPage() {
  const { t } = useTranslation('market');
  const { tenant = '', flow = '' } = useParams();
  const path = { tenant, name: flow };
  const app = useLoad(() => ok(api.GET('/api/v1/tenants/{tenant}/light-apps/{name}', { params: { path } })), [tenant, flow]);
  const runs = useLoad(() => ok(api.GET('/api/v1/tenants/{tenant}/light-apps/{name}/runs', { params: { path } })), [tenant, flow]);
  const [shown, setShown] = useState<Run | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // A run not over yet is read again every second until it is.
  const pendingId = shown && !isFinal(shown.status) ? shown.id : null;
  useEffect(() => {
    if (!pendingId) return;
    const timer = window.setTimeout(() => {
      ok(api.GET('/api/v1/tenants/{tenant}/light-apps/{name}/runs/{id}', { params: { path: { ...path, id: pendingId } } }))
        .then((run) => {
          setShown(run);
          if (isFinal(run.status)) runs.reload();
        })
        .catch(setError);
    }, 1000);
    return () => window.clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pendingId, shown]);

  const start = async (input: unknown) => {
    setBusy(true);
    setError(null);
    try {
      const run = await ok(
        api.POST('/api/v1/tenants/{tenant}/light-apps/{name}/runs', { params: { path, query: { wait_ms: 20_000 } }, body: { input } }),
      );
      setShown(run);
      runs.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const open = async (id: string) => {
    setError(null);
    try {
      setShown(await ok(api.GET('/api/v1/tenants/{tenant}/light-apps/{name}/runs/{id}', { params: { path: { ...path, id } } })));
    } catch (failure) {
      setError(failure);
    }
  };

  const list = runs.data?.runs ?? [];
  return (
    <LightFrame tenant={tenant}>
      <ErrorNote error={app.error} />
      {app.loading && !app.data ? <p>{t('state.loading', { ns: 'common' })}</p> : null}
      {app.data ? (
        <>
          <h1>{app.data.title || app.data.flow}</h1>
          {app.data.description ? <p className="light-description">{app.data.description}</p> : null}
          <section className="card light-form" aria-label={t('light.form')}>
            <RunForm key={`${flow}@${app.data.version}`} schema={app.data.inputs} busy={busy} onSubmit={(input) => void start(input)} />
          </section>
          <ErrorNote error={error} />
          {shown ? <LightResult run={shown} /> : null}
          <section aria-labelledby="light-runs-title">
            <h2 id="light-runs-title">{t('light.myRuns')}</h2>
            <ErrorNote error={runs.error} />
            {runs.data && list.length === 0 ? <p>{t('light.noRuns')}</p> : null}
            {list.length > 0 ? (
              <table className="list" aria-label={t('light.myRuns')}>
                <thead>
                  <tr>
                    <th scope="col">{t('light.started')}</th>
                    <th scope="col">{t('light.status')}</th>
                    <th scope="col">{t('light.result')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((run) => (
                    <tr key={run.id} data-run={run.id}>
                      <td>
                        <Time at={run.created_at} />
                      </td>
                      <td>{t(`light.statuses.${run.status}`, { defaultValue: run.status })}</td>
                      <td>
                        <button type="button" onClick={() => void open(run.id)} aria-label={t('light.showRun', { id: run.id })}>
                          {t('light.show')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </section>
        </>
      ) : null}
    </LightFrame>
  );
}
