import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';
import { FileRow } from './FileRow';
import { useSizeText } from './FileSize';
import { FileUpload } from './FileUpload';

/**
 * The tenant's files, which the standard `push-file` plugin places on hosts
 * through their agents. Everyone who reads lists and downloads them; those
 * who may publish upload, replace and delete.
 */
export function FilesPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const editable = tenant.may('publish');
  const files = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/files', { params: { path: { tenant: tenant.name } } })),
    [tenant.name],
  );
  const list = files.data?.files ?? [];
  const sizeText = useSizeText();
  return (
    <section aria-labelledby="files-title">
      <h2 id="files-title">{t('files.title')}</h2>
      <p className="hint">{t('files.intro')}</p>
      {editable ? (
        <FileUpload existing={list.map((file) => file.name)} onUploaded={files.reload} />
      ) : (
        <p className="hint">{t('files.readOnly')}</p>
      )}
      <h3>{t('files.list')}</h3>
      <ErrorNote error={files.error} />
      {files.data ? (
        <p className="hint" data-testid="files-usage">
          {t('files.usage', { used: sizeText(files.data.used_bytes), quota: sizeText(files.data.quota_bytes) })}
        </p>
      ) : null}
      {files.data && list.length === 0 ? <p>{t('files.none')}</p> : null}
      {list.length > 0 ? (
        <table className="list" aria-label={t('files.list')}>
          <thead>
            <tr>
              <th scope="col">{t('files.name')}</th>
              <th scope="col">{t('files.size')}</th>
              <th scope="col">{t('files.sha256')}</th>
              <th scope="col">{t('files.uploadedAt')}</th>
              <th scope="col">{t('files.uploadedBy')}</th>
              <th scope="col">{t('columns.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((file) => (
              <FileRow key={file.name} file={file} editable={editable} onDeleted={files.reload} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
