import { useTranslation } from 'react-i18next';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { Time } from './Time';

/**
 * The last cell of a revocable credential's row (a token, an enrolment token,
 * an agent): when it was revoked, or that it expired, or — for one who may —
 * a button that revokes it after `question` is confirmed.
 */
export function Revocation({
  revokedAt,
  expired = false,
  canRevoke,
  question,
  onRevoke,
}: {
  revokedAt: string | null | undefined;
  expired?: boolean;
  canRevoke: boolean;
  question: string;
  onRevoke: () => Promise<void>;
}) {
  const { t } = useTranslation('admin');
  if (revokedAt) {
    return (
      <>
        {t('tokens.revoked')} <Time at={revokedAt} />
      </>
    );
  }
  if (expired) return <>{t('tokens.expired')}</>;
  return canRevoke ? (
    <ConfirmButton className="danger" label={t('tokens.revoke')} question={question} onConfirm={onRevoke} />
  ) : null;
}
