import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { saveFile } from '../ui/download';
import { useAction } from '../ui/useAction';
import { exportFileName, type ImportFormat } from './importFile';

const MEDIA: Record<ImportFormat, string> = { csv: 'text/csv;charset=utf-8', json: 'application/json' };

/** Download every host as CSV or JSON, in the form the import takes back. */
export function HostExport() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const action = useAction();
  const save = async (format: ImportFormat) => {
    const text = await action.run(() =>
      ok(
        api.GET('/api/v1/tenants/{tenant}/hosts/export', {
          params: { path: { tenant: tenant.name }, query: { format } },
          // Kept as the server wrote it: the file must import back unchanged.
          parseAs: 'text',
        }),
      ),
    );
    if (text !== undefined) saveFile(new Blob([text], { type: MEDIA[format] }), exportFileName(tenant.name, format, new Date()));
  };
  return (
    <div className="row">
      <span>{t('hosts.export.title')}</span>
      <button type="button" disabled={action.busy} onClick={() => void save('csv')}>
        {t('hosts.export.csv')}
      </button>
      <button type="button" disabled={action.busy} onClick={() => void save('json')}>
        {t('hosts.export.json')}
      </button>
      <ErrorNote error={action.error} />
    </div>
  );
}
