import { useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNote } from './ErrorNote';

/**
 * A button whose action is confirmed in a modal dialog first; the dialog
 * shows the API's answer if it refuses.
 */
export function ConfirmButton({
  label,
  question,
  onConfirm,
  children,
  className,
  disabled,
}: {
  label: string;
  question: string;
  onConfirm: () => Promise<unknown>;
  children?: ReactNode;
  className?: string;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      dialog.current?.close();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className={className} disabled={disabled} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} className="confirm" aria-label={question}>
        <form method="dialog" onSubmit={(e) => e.preventDefault()}>
          <h2>{t('confirm.title')}</h2>
          <p>{question}</p>
          {children}
          <ErrorNote error={error} />
          <div className="row end">
            <button type="button" onClick={() => dialog.current?.close()}>
              {t('actions.cancel')}
            </button>
            <button type="button" className="primary" disabled={busy} onClick={() => void confirm()}>
              {t('actions.confirm')}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
