import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';
import { groupPlugins } from './pluginList';
import { PluginDropZone } from './PluginDropZone';

/** The plugins the tenant sees (standard and uploaded), one row per plugin; upload for publishers. */
export function PluginsPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const plugins = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/plugins', { params: { path: { tenant: tenant.name } } })),
    [tenant.name],
  );
  const groups = groupPlugins(plugins.data?.plugins ?? []);
  return (
    <section aria-labelledby="plugins-title">
      <h2 id="plugins-title">{t('plugins.title')}</h2>
      {tenant.may('publish') ? <PluginDropZone onUploaded={plugins.reload} /> : null}
      <ErrorNote error={plugins.error} />
      {plugins.data && groups.length === 0 ? <p>{t('plugins.none')}</p> : null}
      {groups.length > 0 ? (
        <table className="list admin-plugins" aria-label={t('plugins.list')}>
          <thead>
            <tr>
              <th scope="col">{t('plugins.name')}</th>
              <th scope="col">{t('plugins.description')}</th>
              <th scope="col">{t('plugins.category')}</th>
              <th scope="col">{t('plugins.capabilities')}</th>
              <th scope="col">{t('plugins.versions')}</th>
              <th scope="col">{t('plugins.origin')}</th>
            </tr>
          </thead>
          <tbody>
            {groups.map(({ name, current, versions }) => (
              <tr key={name} data-plugin={name}>
                <td>
                  <Link to={`/t/${tenant.name}/admin/plugins/${encodeURIComponent(name)}`}>{current.title || name}</Link>
                  <div className="hint admin-mono">{name}</div>
                </td>
                <td>{current.description}</td>
                <td>{current.category}</td>
                <td>
                  {current.capabilities.length === 0
                    ? t('plugins.noCapabilities')
                    : current.capabilities.map((capability) => (
                        <span key={capability} className="admin-badge">
                          {capability}
                        </span>
                      ))}
                </td>
                <td>
                  {versions.map((version) => (
                    <span key={version.version} className={version.yanked ? 'admin-badge yanked' : 'admin-badge'}>
                      {version.version}
                      {version.yanked ? ` (${t('plugins.yanked')})` : ''}
                    </span>
                  ))}
                </td>
                <td>{current.standard ? t('plugins.standard') : t('plugins.uploadedBy', { user: current.uploaded_by ?? '?' })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
