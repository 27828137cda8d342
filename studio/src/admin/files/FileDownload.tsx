import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { saveFile } from '../ui/download';
import { useAction } from '../ui/useAction';

/** Download one file's content, as uploaded, under its name. */
export function FileDownload({ name }: { name: string }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const action = useAction();
  const save = async () => {
    const blob = await action.run(async () => {
      const content = await ok(
        api.GET('/api/v1/tenants/{tenant}/files/{file}/content', {
          params: { path: { tenant: tenant.name, file: name } },
          // The bytes as they are, whatever they hold.
          parseAs: 'blob',
        }),
      );
      // An empty file is answered without a body (no data): it is still a file,
      // typed as the server types it so the browser adds no extension.
      return content ?? new Blob([], { type: 'application/octet-stream' });
    });
    if (blob !== undefined) saveFile(blob, name);
  };
  return (
    <>
      <button type="button" disabled={action.busy} onClick={() => void save()} aria-label={t('files.downloadOf', { name })}>
        {t('files.download')}
      </button>
      <ErrorNote error={action.error} />
    </>
  );
}
