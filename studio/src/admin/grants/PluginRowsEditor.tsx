import { useTranslation } from 'react-i18next';
import type { PluginRow } from './grantDoc';
import { StringListEditor } from '../ui/StringListEditor';

/**
 * Names granted per plugin (or `*`, every plugin) — the secrets each may
 * read, the hosts each may touch, the channels each may send to: one row
 * per plugin, each a list.
 */
export function PluginRowsEditor({
  rows,
  onChange,
  readOnly,
  listLabel,
  placeholder,
  suggestions,
  describe,
}: {
  rows: PluginRow[];
  onChange: (rows: PluginRow[]) => void;
  readOnly: boolean;
  /** The label of one plugin's list, e.g. "Secrets of slack". */
  listLabel: (plugin: string) => string;
  placeholder: string;
  /** Names offered while typing (the tenant's secrets, channels). */
  suggestions?: readonly string[];
  /** A short note after a name (e.g. that no such channel exists). */
  describe?: (name: string) => string | null;
}) {
  const { t } = useTranslation('admin');
  const update = (index: number, row: PluginRow) => onChange(rows.map((old, i) => (i === index ? row : old)));
  return (
    <div className="admin-plugin-rows">
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
                  aria-label={t('grants.removePlugin', { list: listLabel(pluginLabel) })}
                  onClick={() => onChange(rows.filter((_, i) => i !== index))}
                >
                  {t('list.removeShort')}
                </button>
              </div>
            )}
            <StringListEditor
              label={listLabel(pluginLabel)}
              items={row.names}
              readOnly={readOnly}
              placeholder={placeholder}
              suggestions={suggestions}
              describe={describe}
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
