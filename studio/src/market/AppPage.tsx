// An app's page in the catalog: what it is (README), what it may touch,
// its versions with their changelogs, and — for roles that may install
// apps — install, upgrade (each through the consent dialog) and uninstall.
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ConfirmButton } from '../ui/ConfirmButton';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { Time } from '../admin/ui/Time';
import { CapabilityList } from './CapabilityList';
import { ConsentButton } from './ConsentDialog';
import { Markdown } from './Markdown';
import { normalise } from './capabilities';
import { InstalledFlows } from './InstalledFlows';

export function AppPage() {
  const { t } = useTranslation('market');
  const tenant = useTenant();
  const { app = '' } = useParams();
  const path = { tenant: tenant.name, app };
  const page = useLoad(() => ok(api.GET('/api/v1/tenants/{tenant}/market/apps/{app}', { params: { path } })), [tenant.name, app]);
  const data = page.data;
  const installed = data?.installed_version ?? null;
  const install = useLoad(
    () => (installed ? ok(api.GET('/api/v1/tenants/{tenant}/installs/{app}', { params: { path } })) : Promise.resolve(null)),
    [tenant.name, app, installed],
  );
  const mayInstall = tenant.may('install_apps');
  const uninstall = async () => {
    await ok(api.DELETE('/api/v1/tenants/{tenant}/installs/{app}', { params: { path } }));
    page.reload();
  };
  if (page.error) return <ErrorNote error={page.error} />;
  if (!data) return <p>{t('state.loading', { ns: 'common' })}</p>;
  const latest = data.latest_version;
  return (
    <article className="market-app" aria-labelledby="app-title">
      <header className="market-app-head">
        {data.icon?.startsWith('data:image/') ? <img src={data.icon} alt="" width={64} height={64} /> : null}
        <div>
          <h2 id="app-title">{data.title || data.name}</h2>
          <p className="hint market-mono">
            {data.name} · {t('catalog.by', { publisher: data.publisher })} · {t('app.latest', { version: latest })} ·{' '}
            {t('catalog.installs', { count: data.install_count })}
          </p>
          {data.description ? <p>{data.description}</p> : null}
          <p className="market-meta">
            {data.categories.map((c) => (
              <span key={c} className="market-tag">
                {c}
              </span>
            ))}
          </p>
        </div>
      </header>
      <div className="card market-install" data-testid="install-state">
        {installed ? (
          <p role="status">
            <strong>{t('app.installed', { version: installed })}</strong>
          </p>
        ) : (
          <p>{t('app.notInstalled')}</p>
        )}
        {mayInstall ? (
          <div className="row">
            {!installed ? (
              <ConsentButton app={data.name} label={t('app.install', { version: latest })} className="primary" onInstalled={page.reload} />
            ) : null}
            {installed && installed !== latest ? (
              <ConsentButton
                app={data.name}
                version={latest}
                label={t('app.upgrade', { version: latest })}
                className="primary"
                onInstalled={page.reload}
              />
            ) : null}
            {installed ? (
              <ConfirmButton
                className="danger"
                label={t('app.uninstall')}
                question={t('app.uninstallQuestion', { app: data.name })}
                onConfirm={uninstall}
              />
            ) : null}
          </div>
        ) : (
          <p className="hint">{t('app.mayNotInstall')}</p>
        )}
        <ErrorNote error={install.error} />
        {install.data ? <InstalledFlows tenant={tenant.name} install={install.data} /> : null}
      </div>
      <section aria-labelledby="caps-title">
        <h2 id="caps-title">{t('app.capabilities')}</h2>
        <p className="hint">{t('app.capabilitiesHint')}</p>
        <CapabilityList capabilities={normalise(data.capabilities)} testId="app-capabilities" />
      </section>
      {data.readme.trim() ? (
        <section aria-labelledby="readme-title">
          <h2 id="readme-title">{t('app.readme')}</h2>
          <Markdown text={data.readme} label={t('app.readme')} />
        </section>
      ) : null}
      <section aria-labelledby="versions-title">
        <h2 id="versions-title">{t('app.versions')}</h2>
        <ol className="market-versions">
          {data.versions.map((v) => (
            <li key={v.version} data-version={v.version} className={v.yanked ? 'market-yanked' : undefined}>
              <h3>
                {v.version}
                {v.yanked ? <span className="market-tag">{t('app.yanked')}</span> : null}
                {v.version === installed ? <span className="market-tag market-installed">{t('app.thisInstalled')}</span> : null}
              </h3>
              <p className="hint">
                <Time at={v.published_at} /> · {t('app.flowsCount', { count: v.flows.length })} · {t('app.pluginsCount', { count: v.plugins.length })}
              </p>
              {v.changelog.trim() ? <Markdown text={v.changelog} label={t('app.changelogOf', { version: v.version })} /> : null}
              {mayInstall && !v.yanked && v.version !== installed && v.version !== latest ? (
                <ConsentButton app={data.name} version={v.version} label={t('app.installVersion', { version: v.version })} onInstalled={page.reload} />
              ) : null}
            </li>
          ))}
        </ol>
      </section>
      {data.public_key ? (
        <p className="hint">
          {t('app.signedWith')} <code className="market-mono">{data.public_key}</code>
        </p>
      ) : null}
      <p>
        <Link to={`/t/${tenant.name}/market`}>{t('app.back')}</Link>
      </p>
    </article>
  );
}
