import { useTranslation } from 'react-i18next';
import { ApiFailure } from '../api/client';

/** An API refusal shown with the server's own message (never a blank page or a stack). */
export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  let message: string;
  if (error instanceof ApiFailure) {
    message = error.status === 0 ? t('errors.network') : error.message;
  } else {
    message = t('errors.unknown', { status: '?' });
  }
  return (
    <p className="error-note" role="alert">
      <strong>{t('state.error')}:</strong> {message}
    </p>
  );
}
