import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';
import { Time } from '../ui/Time';
import { compareVersions } from './pluginList';
import { PluginVersionDetail } from './PluginVersionDetail';
import { YankButton } from './YankButton';

/** One plugin: its versions (yank and restore uploaded ones) and the chosen version's schemas. */
export function PluginPage() {
  const { t, i18n } = useTranslation('admin');
  const tenant = useTenant();
  const { plugin = '' } = useParams();
  const listing = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/plugins/{plugin}', { params: { path: { tenant: tenant.name, plugin } } })),
    [tenant.name, plugin],
  );
  const versions = [...(listing.data?.versions ?? [])].sort((a, b) => compareVersions(b.version, a.version));
  const [chosen, setChosen] = useState<string | null>(null);
  useEffect(() => {
    if (chosen === null && versions[0]) setChosen(versions[0].version);
  }, [chosen, versions]);
  const title = versions[0]?.title || plugin;
  return (
    <section aria-labelledby="plugin-title">
      <p>
        <Link to={`/t/${tenant.name}/admin/plugins`}>{t('plugins.back')}</Link>
      </p>
      <h2 id="plugin-title">{title}</h2>
      <ErrorNote error={listing.error} />
      {versions.length > 0 ? (
        <table className="list" aria-label={t('plugins.versions')}>
          <thead>
            <tr>
              <th scope="col">{t('plugins.version')}</th>
              <th scope="col">{t('plugins.origin')}</th>
              <th scope="col">{t('plugins.uploadedAt')}</th>
              <th scope="col">{t('plugins.size')}</th>
              <th scope="col">{t('plugins.state')}</th>
              <th scope="col">{t('columns.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => (
              <tr key={version.version} aria-current={version.version === chosen ? 'true' : undefined}>
                <td className="admin-mono">{version.version}</td>
                <td>{version.standard ? t('plugins.standard') : t('plugins.uploadedBy', { user: version.uploaded_by ?? '?' })}</td>
                <td>
                  <Time at={version.uploaded_at} />
                </td>
                <td>{t('plugins.kib', { size: (version.size_bytes / 1024).toLocaleString(i18n.language, { maximumFractionDigits: 1 }) })}</td>
                <td>{version.yanked ? t('plugins.yanked') : t('plugins.available')}</td>
                <td className="row">
                  <button
                    type="button"
                    aria-pressed={version.version === chosen}
                    onClick={() => setChosen(version.version)}
                    aria-label={t('plugins.showSchemas', { version: version.version })}
                  >
                    {t('plugins.schemas')}
                  </button>
                  {!version.standard && tenant.may('publish') ? (
                    <YankButton plugin={plugin} version={version.version} yanked={version.yanked} onDone={listing.reload} />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {chosen ? <PluginVersionDetail plugin={plugin} version={chosen} /> : null}
    </section>
  );
}
