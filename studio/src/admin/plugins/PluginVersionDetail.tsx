import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';

/** One version's description, capabilities, imports and its input and output schemas. */
export function PluginVersionDetail({ plugin, version }: { plugin: string; version: string }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const detail = useLoad(
    () =>
      ok(
        api.GET('/api/v1/tenants/{tenant}/plugins/{plugin}/{version}', {
          params: { path: { tenant: tenant.name, plugin, version } },
        }),
      ),
    [tenant.name, plugin, version],
  );
  const data = detail.data;
  return (
    <div className="card admin-plugin-detail" aria-live="polite">
      <h3>{t('plugins.versionTitle', { plugin, version })}</h3>
      <ErrorNote error={detail.error} />
      {data ? (
        <>
          <p>{data.description}</p>
          <dl className="admin-facts">
            <dt>{t('plugins.category')}</dt>
            <dd>{data.category}</dd>
            <dt>{t('plugins.capabilities')}</dt>
            <dd>{data.capabilities.join(', ') || t('plugins.noCapabilities')}</dd>
            <dt>{t('plugins.imports')}</dt>
            <dd className="admin-mono">{data.imports.join(', ') || '—'}</dd>
            <dt>sha256</dt>
            <dd className="admin-mono admin-break">{data.sha256}</dd>
          </dl>
          <div className="admin-columns">
            <div>
              <h4>{t('plugins.inputSchema')}</h4>
              <pre className="admin-json" tabIndex={0} aria-label={t('plugins.inputSchema')}>
                {JSON.stringify(data.input_schema, null, 2)}
              </pre>
            </div>
            <div>
              <h4>{t('plugins.outputSchema')}</h4>
              <pre className="admin-json" tabIndex={0} aria-label={t('plugins.outputSchema')}>
                {JSON.stringify(data.output_schema, null, 2)}
              </pre>
            </div>
          </div>
        </>
      ) : null}
    </div>
  );
}
