import { useTranslation } from 'react-i18next';
import type { operations } from '../../api/schema';
import { labelPairs, type Labels } from '../hosts/labels';
import { Revocation } from '../ui/Revocation';
import { Time } from '../ui/Time';

export type Enrolment =
  operations['GET /api/v1/tenants/{tenant}/agents/enrolments']['responses']['200']['content']['application/json']['enrolments'][number];

/** The server keeps an enrolment's labels as JSON text. */
function labelsOf(enrolment: Enrolment): Labels {
  try {
    const parsed: unknown = JSON.parse(enrolment.labels);
    return parsed && typeof parsed === 'object' ? (parsed as Labels) : {};
  } catch {
    return {};
  }
}

/** Enrolment tokens (never the tokens themselves), each revocable while it is live. */
export function EnrolmentsTable({
  enrolments,
  canRevoke,
  onRevoke,
}: {
  enrolments: Enrolment[];
  canRevoke: boolean;
  onRevoke: (id: string) => Promise<void>;
}) {
  const { t } = useTranslation('admin');
  const now = Date.now();
  const expired = (e: Enrolment) => !!e.expires_at && new Date(e.expires_at).getTime() <= now;
  if (enrolments.length === 0) return <p>{t('agents.noEnrolments')}</p>;
  return (
    <table className="list" aria-label={t('agents.enrolments')}>
      <thead>
        <tr>
          <th scope="col">{t('agents.labels')}</th>
          <th scope="col">{t('tokens.createdBy')}</th>
          <th scope="col">{t('tokens.createdAt')}</th>
          <th scope="col">{t('tokens.expiresAt')}</th>
          <th scope="col">{t('columns.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {enrolments.map((enrolment) => (
          <tr key={enrolment.id}>
            <td className="admin-mono">{labelPairs(labelsOf(enrolment)).join(', ') || t('agents.noLabels')}</td>
            <td>{enrolment.created_by}</td>
            <td>
              <Time at={enrolment.created_at} />
            </td>
            <td>{enrolment.expires_at ? <Time at={enrolment.expires_at} /> : t('tokens.never')}</td>
            <td>
              <Revocation
                revokedAt={enrolment.revoked_at}
                expired={expired(enrolment)}
                canRevoke={canRevoke}
                question={t('agents.revokeEnrolmentQuestion')}
                onRevoke={() => onRevoke(enrolment.id)}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
