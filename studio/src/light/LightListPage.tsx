import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, ok } from '../api/client';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { LightFrame } from './LightFrame';
import { lightAppPath } from './shareLink';

/** `/light/:tenant`: the light apps the caller may use there. */
export default function LightListPage() {
  const { t } = useTranslation('market');
  const { tenant = '' } = useParams();
  const apps = useLoad(() => ok(api.GET('/api/v1/tenants/{tenant}/light-apps', { params: { path: { tenant } } })), [tenant]);
  const list = apps.data?.light_apps ?? [];
  return (
    <LightFrame tenant={tenant}>
      <h1>{t('light.listTitle')}</h1>
      <ErrorNote error={apps.error} />
      {apps.loading && !apps.data ? <p>{t('state.loading', { ns: 'common' })}</p> : null}
      {apps.data && list.length === 0 ? <p>{t('light.none')}</p> : null}
      <ul className="light-list">
        {list.map((app) => (
          <li key={app.flow} className="card">
            <h2>
              <Link to={lightAppPath(tenant, app.flow)}>{app.title || app.flow}</Link>
            </h2>
            {app.description ? <p>{app.description}</p> : null}
          </li>
        ))}
      </ul>
    </LightFrame>
  );
}
