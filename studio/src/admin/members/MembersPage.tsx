import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';
import { MemberForm } from './MemberForm';
import { MemberRow } from './MemberRow';

/** The tenant's members: each one's role changed or removed in their row; an existing user added by name. */
export function MembersPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const members = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/members', { params: { path: { tenant: tenant.name } } })),
    [tenant.name],
  );
  const list = members.data?.members ?? [];
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">{t('members.title')}</h2>
      <MemberForm onChanged={members.reload} />
      <h3>{t('members.list')}</h3>
      <ErrorNote error={members.error} />
      {members.data && list.length === 0 ? <p>{t('members.none')}</p> : null}
      {list.length > 0 ? (
        <table className="list" aria-label={t('members.list')}>
          <thead>
            <tr>
              <th scope="col">{t('members.user')}</th>
              <th scope="col">{t('members.role')}</th>
              <th scope="col">{t('members.flowsLimit')}</th>
              <th scope="col">{t('columns.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((member) => (
              // Keyed by role too: a row reloaded with a new role starts from it.
              <MemberRow key={`${member.username}:${member.role}`} member={member} onChanged={members.reload} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
