// Someone else saved the draft since this page read it: reload their
// version (losing this page's changes) or overwrite it with this page's.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from '../ui/ErrorNote';

export function ConflictDialog({
  open,
  message,
  onReload,
  onOverwrite,
}: {
  open: boolean;
  message: string;
  onReload: () => Promise<unknown>;
  onOverwrite: () => Promise<unknown>;
}) {
  const { t } = useTranslation('editor');
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={dialog} className="confirm" aria-labelledby="editor-conflict-title" onCancel={(e) => e.preventDefault()}>
      <h2 id="editor-conflict-title">{t('conflict.title')}</h2>
      <p>{t('conflict.explain')}</p>
      <p className="hint">{message}</p>
      <ErrorNote error={error} />
      <div className="row end">
        <button type="button" disabled={busy} onClick={() => void run(onReload)}>
          {t('conflict.reload')}
        </button>
        <button type="button" className="primary" disabled={busy} onClick={() => void run(onOverwrite)}>
          {t('conflict.overwrite')}
        </button>
      </div>
    </dialog>
  );
}
