import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { RUN_STATUSES } from './runTypes';

export interface RunsFilter {
  flow: string;
  status: string;
  /** `datetime-local` values, as typed. */
  since: string;
  before: string;
}

/** The runs list's filters: flow, status and a time range, applied together. */
export function RunsFilters({
  value,
  flows,
  onApply,
}: {
  value: RunsFilter;
  flows: string[];
  onApply: (filter: RunsFilter) => void;
}) {
  const { t } = useTranslation('runs');
  const [draft, setDraft] = useState(value);
  const set = (field: keyof RunsFilter) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [field]: e.target.value }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  const clear = () => {
    const empty = { flow: '', status: '', since: '', before: '' };
    setDraft(empty);
    onApply(empty);
  };
  return (
    <form className="runs-filters row" onSubmit={apply} aria-label={t('list.filters')}>
      <label>
        {t('list.flow')}
        <select name="flow" value={draft.flow} onChange={set('flow')}>
          <option value="">{t('list.anyFlow')}</option>
          {flows.map((flow) => (
            <option key={flow} value={flow}>
              {flow}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('list.status')}
        <select name="status" value={draft.status} onChange={set('status')}>
          <option value="">{t('list.anyStatus')}</option>
          {RUN_STATUSES.map((status) => (
            <option key={status} value={status}>
              {t(`status.${status}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('list.since')}
        <input type="datetime-local" name="since" value={draft.since} onChange={set('since')} step={1} />
      </label>
      <label>
        {t('list.before')}
        <input type="datetime-local" name="before" value={draft.before} onChange={set('before')} step={1} />
      </label>
      <div className="row runs-filter-buttons">
        <button type="submit" className="primary">
          {t('list.apply')}
        </button>
        <button type="button" onClick={clear}>
          {t('list.clear')}
        </button>
      </div>
    </form>
  );
}
