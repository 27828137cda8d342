import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';

/** The label selector the list is filtered by; applied on submit (the server checks it). */
export function SelectorFilter({ applied, onApply }: { applied: string; onApply: (selector: string) => void }) {
  const { t } = useTranslation('admin');
  const [text, setText] = useState(applied);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(text.trim());
  };
  return (
    <form className="row" role="search" aria-label={t('hosts.filter.label')} onSubmit={submit}>
      <label className="inline admin-grow">
        {t('hosts.filter.selector')}
        <input
          value={text}
          className="admin-mono admin-grow"
          placeholder="zone=eu-1,role=game"
          aria-describedby="host-selector-hint"
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <button type="submit">{t('hosts.filter.apply')}</button>
      <button
        type="button"
        disabled={applied === '' && text === ''}
        onClick={() => {
          setText('');
          onApply('');
        }}
      >
        {t('hosts.filter.clear')}
      </button>
      <p id="host-selector-hint" className="hint admin-full">
        {t('hosts.filter.hint')}
      </p>
    </form>
  );
}
