import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Copies `value` to the clipboard; says so when done, or selects `fallback` for a manual copy. */
export function CopyButton({ value, what, fallback }: { value: string; what: string; fallback?: () => void }) {
  const { t } = useTranslation('admin');
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // No clipboard access (an insecure origin, a denied permission): select the text instead.
      fallback?.();
    }
  };
  return (
    <button type="button" onClick={() => void copy()} aria-label={t('once.copy', { what })}>
      {copied ? t('common:actions.copied') : t('common:actions.copy')}
    </button>
  );
}
