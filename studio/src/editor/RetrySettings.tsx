// Retry policy of a step or a foreach/batch body.
import { useTranslation } from 'react-i18next';
import type { Retry } from './flowTypes';
import { CheckField, NumberField, SelectField } from './fields';

export function RetrySettings({
  retry,
  onChange,
  readOnly,
}: {
  retry: Retry | undefined;
  onChange: (retry: Retry | undefined) => void;
  readOnly: boolean;
}) {
  const { t } = useTranslation('editor');
  const set = (patch: Partial<Retry>) => {
    const next: Retry = { ...retry, ...patch };
    for (const key of Object.keys(next) as (keyof Retry)[]) if (next[key] === undefined) delete next[key];
    onChange(next);
  };
  return (
    <fieldset>
      <legend>{t('retry.title')}</legend>
      <CheckField
        label={t('retry.enabled')}
        checked={retry !== undefined}
        disabled={readOnly}
        onChange={(on) => onChange(on ? { max_attempts: 3, backoff: 'exponential', initial_ms: 500 } : undefined)}
      />
      {retry && (
        <>
          <NumberField label={t('retry.maxAttempts')} min={1} value={retry.max_attempts} readOnly={readOnly} onChange={(v) => set({ max_attempts: v })} />
          <SelectField
            label={t('retry.backoff')}
            value={retry.backoff ?? 'fixed'}
            disabled={readOnly}
            options={[
              { value: 'fixed', label: t('retry.fixed') },
              { value: 'exponential', label: t('retry.exponential') },
            ]}
            onChange={(v) => set({ backoff: v })}
          />
          <NumberField label={t('retry.initialMs')} min={0} value={retry.initial_ms} readOnly={readOnly} onChange={(v) => set({ initial_ms: v })} />
          <NumberField label={t('retry.maxMs')} min={0} value={retry.max_ms} readOnly={readOnly} onChange={(v) => set({ max_ms: v })} />
          <CheckField label={t('retry.jitter')} checked={retry.jitter ?? false} disabled={readOnly} onChange={(v) => set({ jitter: v || undefined })} />
        </>
      )}
    </fieldset>
  );
}
