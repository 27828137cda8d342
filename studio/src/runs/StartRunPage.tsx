// Start a run of a flow: the form generated from the inputs schema of the
// chosen published version (the latest unless another is chosen), then off
// to the live view of the new run.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { RunForm } from './RunForm';
import { formatInstant } from './format';
import './runs.css';

export default function StartRunPage() {
  const { t, i18n } = useTranslation('runs');
  const tenant = useTenant();
  const { name = '' } = useParams();
  const navigate = useNavigate();
  const flow = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/flows/{name}', { params: { path: { tenant: tenant.name, name } } })),
    [tenant.name, name],
  );
  const versions = [...(flow.data?.versions ?? [])].sort((a, b) => b.version - a.version);
  const latest = versions[0]?.version ?? null;
  const [chosen, setChosen] = useState<number | null>(null);
  useEffect(() => setChosen(null), [name]);
  const version = chosen ?? latest;
  const published = useLoad(
    () =>
      version === null
        ? Promise.resolve(null)
        : ok(
            api.GET('/api/v1/tenants/{tenant}/flows/{name}/versions/{version}', {
              params: { path: { tenant: tenant.name, name, version: String(version) } },
            }),
          ),
    [tenant.name, name, version],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const start = async (input: unknown) => {
    if (version === null) return;
    setBusy(true);
    setError(null);
    try {
      const run = await ok(
        api.POST('/api/v1/tenants/{tenant}/flows/{name}/runs', {
          params: { path: { tenant: tenant.name, name }, query: { wait_ms: 0 } },
          body: { input, version } as never,
        }),
      );
      navigate(`/t/${tenant.name}/runs/${(run as { id: string }).id}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  // useLoad keeps the previous answer while the chosen version loads: a form
  // on it would check the input against another version's schema.
  const shown = published.data?.version === version && published.data.flow.name === name ? published.data : null;
  const document = shown?.flow as { title?: string; description?: string; inputs?: unknown } | undefined;
  return (
    <section className="runs-page runs-start">
      <h1>{t('start.title', { flow: name })}</h1>
      <p>
        <Link to={`/t/${tenant.name}/flows/${encodeURIComponent(name)}`}>{t('start.openFlow')}</Link>
        {' · '}
        <Link to={`/t/${tenant.name}/runs?flow=${encodeURIComponent(name)}`}>{t('start.runsOfFlow')}</Link>
      </p>
      <ErrorNote error={flow.error} />
      {flow.loading && !flow.data ? <p>{t('state.loading', { ns: 'common' })}</p> : null}
      {!tenant.may('run') ? <p className="runs-note">{t('start.mayNot')}</p> : null}
      {flow.data && latest === null ? <p className="runs-note" role="status">{t('start.unpublished')}</p> : null}
      {latest !== null ? (
        <div className="card">
          <label className="inline">
            {t('start.version')}
            <select value={version ?? ''} onChange={(e) => setChosen(Number(e.target.value))}>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version === latest
                    ? t('start.versionLatest', { version: v.version, at: formatInstant(v.published_at, i18n.language) })
                    : t('start.versionAt', { version: v.version, at: formatInstant(v.published_at, i18n.language) })}
                </option>
              ))}
            </select>
          </label>
          {document?.title ? <h2>{document.title}</h2> : null}
          {document?.description ? <p className="runs-muted">{document.description}</p> : null}
          <ErrorNote error={published.error} />
          {shown && tenant.may('run') ? (
            <RunForm key={`${name}@${version}`} schema={document?.inputs} busy={busy} onSubmit={(input) => void start(input)} />
          ) : null}
          <ErrorNote error={error} />
        </div>
      ) : null}
    </section>
  );
}
