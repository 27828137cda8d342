import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyButton } from './CopyButton';

/**
 * A credential the server answers only once (a token, an invitation link, a
 * webhook URL): shown with a copy button until dismissed, never fetched again.
 */
export function ShownOnce({ label, value, onDismiss }: { label: string; value: string; onDismiss: () => void }) {
  const { t } = useTranslation('admin');
  const field = useRef<HTMLInputElement>(null);
  return (
    <div className="admin-once" role="status">
      <p className="admin-once-warning">{t('once.warning')}</p>
      <div className="row">
        <label className="admin-grow">
          {label}
          <input ref={field} readOnly value={value} className="admin-mono" onFocus={(e) => e.target.select()} />
        </label>
        <CopyButton value={value} what={label} fallback={() => field.current?.select()} />
        <button type="button" onClick={onDismiss}>
          {t('once.dismiss')}
        </button>
      </div>
    </div>
  );
}
