// Under a field holding a file's sha256 (`"x-scena-sha256-of": "<sibling>"`):
// a button setting it to the sha256 the sibling's file has now, and a note
// when the pinned content is no longer the file's (runs would refuse it).
import { useTranslation } from 'react-i18next';
import { shortSha } from '../admin/files/fileList';
import { changedSincePinned, pinState, type PinState } from './pinState';
import type { TenantFiles } from './useTenantFiles';

export function Sha256Pin({
  id,
  fileField,
  fileValue,
  value,
  onChange,
  readOnly,
  tenantFiles,
}: {
  id: string;
  /** The sibling field naming the file, as the messages name it. */
  fileField: string;
  /** The sibling field's value. */
  fileValue: unknown;
  /** This field's value: the pin. */
  value: unknown;
  onChange: (value: unknown) => void;
  readOnly: boolean;
  tenantFiles: TenantFiles;
}) {
  const { t } = useTranslation('editor');
  const state = pinState(fileValue, value, tenantFiles);
  const changed = changedSincePinned(fileValue, value, tenantFiles.files);
  const why = (refused: Exclude<PinState, { enabled: true }>): string =>
    'name' in refused
      ? t(`input.pin.why.${refused.reason}`, { name: refused.name })
      : t(`input.pin.why.${refused.reason}`, { field: fileField });
  const whyText = state.enabled ? null : why(state);
  const whyId = `${id}-why`;
  return (
    <div className="editor-pin">
      {!readOnly && (
        <div className="row">
          <button
            type="button"
            disabled={!state.enabled}
            // Disabled buttons show no tooltip in every browser: the reason is also written beside it.
            title={state.enabled ? t('input.pin.will', { name: state.name, sha: shortSha(state.sha256) }) : (whyText ?? undefined)}
            aria-describedby={whyText ? whyId : undefined}
            onClick={() => state.enabled && onChange(state.sha256)}
          >
            {t('input.pin.button')}
          </button>
          {whyText && (
            <span id={whyId} className="hint">
              {whyText}
            </span>
          )}
        </div>
      )}
      {changed && (
        <p className="editor-field-warning" role="status">
          {t('input.pin.changed', { name: changed.name, sha: shortSha(changed.sha256) })}
        </p>
      )}
    </div>
  );
}
