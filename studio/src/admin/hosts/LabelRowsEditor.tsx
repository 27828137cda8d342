import { useTranslation } from 'react-i18next';
import type { LabelRow } from './labels';

/** A host's labels edited as key/value rows: change either field, remove a row, add one. */
export function LabelRowsEditor({ rows, onChange }: { rows: LabelRow[]; onChange: (rows: LabelRow[]) => void }) {
  const { t } = useTranslation('admin');
  const update = (index: number, row: LabelRow) => onChange(rows.map((old, i) => (i === index ? row : old)));
  return (
    <fieldset className="admin-fieldset">
      <legend>{t('hosts.labels')}</legend>
      {rows.length === 0 ? <p className="hint">{t('hosts.noLabels')}</p> : null}
      <ul className="admin-plain-list">
        {rows.map((row, index) => (
          <li key={index} className="row">
            <input
              aria-label={t('hosts.labelKey', { n: index + 1 })}
              value={row.key}
              placeholder="zone"
              className="admin-mono"
              onChange={(e) => update(index, { ...row, key: e.target.value })}
            />
            <span aria-hidden="true">=</span>
            <input
              aria-label={t('hosts.labelValue', { n: index + 1, key: row.key })}
              value={row.value}
              placeholder="eu-1"
              className="admin-mono"
              onChange={(e) => update(index, { ...row, value: e.target.value })}
            />
            <button
              type="button"
              className="danger"
              aria-label={t('hosts.removeLabel', { label: row.key || index + 1 })}
              onClick={() => onChange(rows.filter((_, i) => i !== index))}
            >
              {t('list.removeShort')}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => onChange([...rows, { key: '', value: '' }])}>
        {t('hosts.addLabel')}
      </button>
    </fieldset>
  );
}
