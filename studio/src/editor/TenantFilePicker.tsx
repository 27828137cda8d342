// The literal editor of a field that names one of the tenant's files
// (`"x-scena-picker": "tenant-file"`): a choice among them, by name and size.
import { useTranslation } from 'react-i18next';
import { useSizeText } from '../admin/files/FileSize';
import { ErrorNote } from '../ui/ErrorNote';
import { pickedValue, pickerChoices } from './filePicker';
import type { TenantFiles } from './useTenantFiles';

export function TenantFilePicker({
  id,
  field,
  description,
  value,
  onChange,
  required,
  readOnly,
  tenantFiles,
}: {
  id: string;
  /** The field's title, for the label. */
  field: string;
  /** The field's description in its schema, shown as rjsf shows it for the other fields. */
  description?: string;
  value: unknown;
  onChange: (value: unknown) => void;
  required: boolean;
  readOnly: boolean;
  tenantFiles: TenantFiles;
}) {
  const { t } = useTranslation('editor');
  const sizeText = useSizeText();
  const { files, loading, error, reload } = tenantFiles;
  const { selected, choices } = pickerChoices(files, value);
  const missing = choices.find((choice) => choice.missing);
  const noteId = `${id}-note`;
  return (
    <div className="editor-file-picker">
      {description && <p className="field-description">{description}</p>}
      <label htmlFor={id} className="editor-sr-only">
        {t('input.file.label', { field })}
      </label>
      <div className="editor-file-picker-row">
        <select
          id={id}
          value={selected}
          // A read-only flow shows its file but offers no other.
          disabled={readOnly}
          aria-required={required}
          aria-busy={loading}
          aria-invalid={missing !== undefined}
          aria-describedby={missing ? noteId : undefined}
          onChange={(event) => onChange(pickedValue(event.target.value))}
        >
          <option value="">{t('input.file.none')}</option>
          {choices.map((choice) => (
            <option key={choice.value} value={choice.value} data-missing={choice.missing || undefined}>
              {choice.file
                ? t('input.file.option', { name: choice.file.name, size: sizeText(choice.file.size_bytes) })
                : choice.missing
                  ? t('input.file.missing', { name: choice.value })
                  : choice.value}
            </option>
          ))}
        </select>
        {!readOnly && (
          <button
            type="button"
            onClick={reload}
            disabled={loading}
            aria-label={t('input.file.reload')}
            title={t('input.file.reload')}
          >
            ↻
          </button>
        )}
      </div>
      {loading && files === null && (
        <p className="hint" role="status">
          {t('input.file.loading')}
        </p>
      )}
      {files !== null && files.length === 0 && <p className="hint">{t('input.file.empty')}</p>}
      {missing && (
        <p id={noteId} className="editor-field-warning">
          {t('input.file.missingNote', { name: missing.value })}
        </p>
      )}
      <ErrorNote error={error} />
    </div>
  );
}
