import { useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A list of short strings edited in place: each item its own field with a
 * remove button, and a field to add one (Enter adds too). Read-only, a list.
 * `suggestions` are offered while typing (the names that exist: channels, secrets).
 */
export function StringListEditor({
  label,
  items,
  onChange,
  readOnly,
  placeholder,
  describe,
  suggestions,
}: {
  label: string;
  items: string[];
  onChange: (items: string[]) => void;
  readOnly?: boolean;
  placeholder?: string;
  /** A short note after an item (e.g. what kind of pattern it is). */
  describe?: (item: string) => string | null;
  suggestions?: readonly string[];
}) {
  const { t } = useTranslation('admin');
  const [adding, setAdding] = useState('');
  const suggestionsId = useId();
  const offered = suggestions?.filter((name) => !items.includes(name)) ?? [];
  if (readOnly) {
    return items.length === 0 ? (
      <p className="hint">{t('list.empty')}</p>
    ) : (
      <ul className="admin-plain-list">
        {items.map((item, i) => (
          <li key={`${i}-${item}`}>
            <code>{item}</code> {describe?.(item) ? <span className="hint">{describe(item)}</span> : null}
          </li>
        ))}
      </ul>
    );
  }
  const add = () => {
    if (adding.trim() === '') return;
    onChange([...items, adding.trim()]);
    setAdding('');
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      add();
    }
  };
  return (
    <div className="admin-list-editor">
      {items.length === 0 ? <p className="hint">{t('list.empty')}</p> : null}
      <ul className="admin-plain-list">
        {items.map((item, i) => (
          <li key={i} className="row">
            <input
              aria-label={t('list.item', { list: label, n: i + 1 })}
              value={item}
              className="admin-mono"
              list={suggestions ? suggestionsId : undefined}
              onChange={(e) => onChange(items.map((old, j) => (j === i ? e.target.value : old)))}
            />
            {describe?.(item) ? <span className="hint">{describe(item)}</span> : null}
            <button
              type="button"
              className="danger"
              aria-label={t('list.remove', { list: label, item: item || i + 1 })}
              onClick={() => onChange(items.filter((_, j) => j !== i))}
            >
              {t('list.removeShort')}
            </button>
          </li>
        ))}
      </ul>
      <div className="row">
        <input
          aria-label={t('list.new', { list: label })}
          value={adding}
          placeholder={placeholder}
          className="admin-mono"
          list={suggestions ? suggestionsId : undefined}
          onChange={(e) => setAdding(e.target.value)}
          onKeyDown={onKey}
        />
        {suggestions ? (
          <datalist id={suggestionsId}>
            {offered.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        ) : null}
        <button type="button" onClick={add} aria-label={t('list.add', { list: label })}>
          {t('list.addShort')}
        </button>
      </div>
    </div>
  );
}
