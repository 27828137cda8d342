import { useTranslation } from 'react-i18next';
import type { SecretGrantRow } from './grantDoc';
import { StringListEditor } from '../ui/StringListEditor';

/** Which secrets each plugin (or `*`, every plugin) may read: one row per plugin. */
export function SecretGrantsEditor({
  rows,
  onChange,
  readOnly,
}: {
  rows: SecretGrantRow[];
  onChange: (rows: SecretGrantRow[]) => void;
  readOnly: boolean;
}) {
  const { t } = useTranslation('admin');
  const update = (index: number, row: SecretGrantRow) => onChange(rows.map((old, i) => (i === index ? row : old)));
  return (
    <div className="admin-secret-grants">
      {rows.length === 0 ? <p className="hint">{t('list.empty')}</p> : null}
      {rows.map((row, index) => {
        const pluginLabel = row.plugin || t('grants.pluginN', { n: index + 1 });
        return (
          <fieldset key={index} className="admin-fieldset">
            <legend>{readOnly ? <code>{row.plugin}</code> : t('grants.pluginN', { n: index + 1 })}</legend>
            {readOnly ? null : (
              <div className="row">
                <label className="inline">
                  {t('grants.plugin')}
                  <input
                    value={row.plugin}
                    className="admin-mono"
                    onChange={(e) => update(index, { ...row, plugin: e.target.value })}
                  />
                </label>
                <button
                  type="button"
                  className="danger"
                  aria-label={t('grants.removePlugin', { plugin: pluginLabel })}
                  onClick={() => onChange(rows.filter((_, i) => i !== index))}
                >
                  {t('list.removeShort')}
                </button>
              </div>
            )}
            <StringListEditor
              label={t('grants.secretsOf', { plugin: pluginLabel })}
              items={row.names}
              readOnly={readOnly}
              placeholder="API_KEY"
              onChange={(names) => update(index, { ...row, names })}
            />
          </fieldset>
        );
      })}
      {readOnly ? null : (
        <button type="button" onClick={() => onChange([...rows, { plugin: '', names: [] }])}>
          {t('grants.addPlugin')}
        </button>
      )}
    </div>
  );
}
