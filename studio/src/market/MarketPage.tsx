// `/t/:tenant/market/*`: the marketplace — the catalog and an app's page,
// the apps installed here, and publishing the tenant's flows as an app
// (offered to roles that may publish apps).
import { useTranslation } from 'react-i18next';
import { NavLink, Route, Routes } from 'react-router-dom';
import { useTenant } from '../session/session';
import { CatalogPage } from './CatalogPage';
import { AppPage } from './AppPage';
import { InstalledPage } from './InstalledPage';
import { PublishPage } from './PublishPage';
import './market.css';

function Forbidden() {
  const { t } = useTranslation();
  return (
    <p className="error-note" role="alert">
      {t('errors.forbidden')}
    </p>
  );
}

export default function MarketPage() {
  const { t } = useTranslation('market');
  const tenant = useTenant();
  const base = `/t/${tenant.name}/market`;
  return (
    <div className="market">
      <h1>{t('title')}</h1>
      <nav aria-label={t('nav.label')} className="market-nav">
        <NavLink to={base} end>
          {t('nav.catalog')}
        </NavLink>
        <NavLink to={`${base}/installed`}>{t('nav.installed')}</NavLink>
        {tenant.may('publish_apps') ? <NavLink to={`${base}/publish`}>{t('nav.publish')}</NavLink> : null}
      </nav>
      <Routes>
        <Route index element={<CatalogPage />} />
        <Route path="apps/:app" element={<AppPage />} />
        <Route path="installed" element={<InstalledPage />} />
        <Route path="publish" element={tenant.may('publish_apps') ? <PublishPage /> : <Forbidden />} />
        <Route path="*" element={<Forbidden />} />
      </Routes>
    </div>
  );
}
