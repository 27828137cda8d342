import { useTranslation } from 'react-i18next';
import { api, ok, type Schemas } from '../../api/client';
import { useTenant } from '../../session/session';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { CopyButton } from '../ui/CopyButton';
import { Time } from '../ui/Time';
import { FileDownload } from './FileDownload';
import { shortSha } from './fileList';
import { FileSize } from './FileSize';

/** One file of the list: its size, sha256, who uploaded it when; download, and delete for publishers. */
export function FileRow({ file, editable, onDeleted }: { file: Schemas['FileRecord']; editable: boolean; onDeleted: () => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const remove = async () => {
    await ok(api.DELETE('/api/v1/tenants/{tenant}/files/{file}', { params: { path: { tenant: tenant.name, file: file.name } } }));
    onDeleted();
  };
  return (
    <tr data-file={file.name}>
      <td>
        <code>{file.name}</code>
      </td>
      <td>
        <FileSize bytes={file.size_bytes} />
      </td>
      <td>
        <div className="row">
          <code className="admin-sha" title={file.sha256} data-sha256={file.sha256}>
            {shortSha(file.sha256)}…
          </code>
          <CopyButton value={file.sha256} what={t('files.shaOf', { name: file.name })} />
        </div>
      </td>
      <td>
        <Time at={file.uploaded_at} />
      </td>
      <td>{file.uploaded_by}</td>
      <td>
        <div className="row">
          <FileDownload name={file.name} />
          {editable ? (
            <ConfirmButton
              className="danger"
              label={t('files.delete')}
              question={t('files.deleteQuestion', { name: file.name })}
              onConfirm={remove}
            />
          ) : null}
        </div>
      </td>
    </tr>
  );
}
