import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { useSession } from '../session/session';
import { LanguagePicker } from '../shell/LanguagePicker';
import './light.css';

/**
 * The frame of a light app's page: nothing of the studio — the tenant's
 * light apps, the language, who is signed in, and logging out.
 */
export function LightFrame({ tenant, children }: { tenant: string; children: ReactNode }) {
  const { t } = useTranslation('market');
  const { session, logout } = useSession();
  const navigate = useNavigate();
  return (
    <div className="light">
      <a className="skip" href="#main">
        {t('app.skipToContent', { ns: 'common' })}
      </a>
      <header className="light-bar">
        <Link to={`/light/${encodeURIComponent(tenant)}`} className="light-home">
          {t('light.home', { tenant })}
        </Link>
        <span className="spacer" />
        <LanguagePicker />
        {session ? <span>{t('session.signedInAs', { ns: 'common', user: session.username })}</span> : null}
        <button type="button" onClick={() => void logout().then(() => navigate('/login'))}>
          {t('session.logout', { ns: 'common' })}
        </button>
      </header>
      <main id="main" className="light-main">
        {children}
      </main>
    </div>
  );
}
