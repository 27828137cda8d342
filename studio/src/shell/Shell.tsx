import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Outlet, useNavigate } from 'react-router-dom';
import { useSession, useTenant } from '../session/session';
import { LanguagePicker } from './LanguagePicker';

/** The frame of every tenant page: navigation, tenant switcher, language, logout. */
export function Shell() {
  const { t } = useTranslation();
  const { session, logout } = useSession();
  const tenant = useTenant();
  const navigate = useNavigate();
  if (!session) return null;
  // A member who may only use light apps (`app_user`) sees none of the studio.
  if (tenant.role && !tenant.may('read')) return <Navigate to={`/light/${encodeURIComponent(tenant.name)}`} replace />;
  const base = `/t/${tenant.name}`;
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand">{t('app.name')}</span>
        <nav aria-label={t('nav.main')}>
          <NavLink to={`${base}/flows`}>{t('nav.flows')}</NavLink>
          <NavLink to={`${base}/runs`}>{t('nav.runs')}</NavLink>
          <NavLink to={`${base}/market`}>{t('nav.market', { ns: 'market' })}</NavLink>
          {['manage_members', 'manage_grants', 'publish', 'audit'].some(tenant.may) ? (
            <NavLink to={`${base}/admin`}>{t('nav.admin')}</NavLink>
          ) : null}
        </nav>
        <span className="spacer" />
        <label className="inline">
          {t('session.tenant')}
          <select value={tenant.name} onChange={(e) => navigate(`/t/${e.target.value}/flows`)}>
            {session.tenants.map((standing) => (
              <option key={standing.name} value={standing.name}>
                {standing.name} ({standing.role})
              </option>
            ))}
          </select>
        </label>
        <LanguagePicker />
        <span className="who">{t('session.signedInAs', { user: session.username })}</span>
        <button type="button" onClick={() => void logout().then(() => navigate('/login'))}>
          {t('session.logout')}
        </button>
      </header>
      <main id="main" className="page">
        <Outlet />
      </main>
    </div>
  );
}
