// The apps installed in this tenant: version, since when and by whom, what
// was granted, the flows they brought, and the secrets still to supply.
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { Time } from '../admin/ui/Time';
import { CapabilityList } from './CapabilityList';
import { normalise } from './capabilities';
import { InstalledFlows } from './InstalledFlows';
import { SupplySecret } from './SupplySecret';

export function InstalledPage() {
  const { t } = useTranslation('market');
  const tenant = useTenant();
  const installs = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/installs', { params: { path: { tenant: tenant.name } } })),
    [tenant.name],
  );
  const list = installs.data?.installs ?? [];
  const mayInstall = tenant.may('install_apps');
  return (
    <section aria-labelledby="installed-title">
      <h2 id="installed-title">{t('installed.title')}</h2>
      <ErrorNote error={installs.error} />
      {installs.loading && !installs.data ? <p>{t('state.loading', { ns: 'common' })}</p> : null}
      {installs.data && list.length === 0 ? (
        <p>
          {t('installed.none')} <Link to={`/t/${tenant.name}/market`}>{t('installed.browse')}</Link>
        </p>
      ) : null}
      {list.map((install) => (
        <article key={install.app} className="card market-install-card" data-app={install.app} aria-labelledby={`install-${install.app}`}>
          <h3 id={`install-${install.app}`}>
            <Link to={`/t/${tenant.name}/market/apps/${encodeURIComponent(install.app)}`}>{install.app}</Link>{' '}
            <span className="market-tag">{install.version}</span>
          </h3>
          <p className="hint">
            {t('installed.meta', { publisher: install.publisher, by: install.installed_by })} <Time at={install.installed_at} />
            {install.previous_version ? ` · ${t('installed.upgradedFrom', { version: install.previous_version })}` : ''}
          </p>
          {install.secrets_missing.length > 0 ? (
            <div className="market-warn" data-testid="secrets-missing">
              <p>{t('installed.secretsMissing', { names: install.secrets_missing.join(', ') })}</p>
              {mayInstall
                ? install.secrets_missing.map((name) => (
                    <SupplySecret key={name} app={install.app} name={name} onSet={installs.reload} />
                  ))
                : null}
            </div>
          ) : install.secrets_supplied.length > 0 ? (
            <p className="hint">{t('installed.secretsSupplied', { names: install.secrets_supplied.join(', ') })}</p>
          ) : null}
          {mayInstall && install.secrets_missing.length === 0 && install.secrets_supplied.length > 0 ? (
            <details>
              <summary>{t('installed.replaceSecret')}</summary>
              {install.secrets_supplied.map((name) => (
                <SupplySecret key={name} app={install.app} name={name} onSet={installs.reload} />
              ))}
            </details>
          ) : null}
          <details>
            <summary>{t('installed.granted')}</summary>
            <CapabilityList capabilities={normalise(install.capabilities)} level={4} />
          </details>
          <InstalledFlows tenant={tenant.name} install={install} />
        </article>
      ))}
    </section>
  );
}
