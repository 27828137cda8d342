import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';
import { Time } from '../ui/Time';
import { MemberForm, type MembershipChange } from './MemberForm';
import { RemoveMemberForm } from './RemoveMemberForm';

/**
 * Members and roles. The API has no list of a tenant's members: the page
 * sets and removes memberships by user name, shows the changes made here,
 * and who joined through an invitation (from the invitations list).
 */
export function MembersPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [changes, setChanges] = useState<MembershipChange[]>([]);
  const invitations = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/invitations', { params: { path: { tenant: tenant.name } } })),
    [tenant.name],
  );
  const record = (change: MembershipChange) => setChanges((old) => [change, ...old.filter((c) => c.user !== change.user)]);
  const joined = (invitations.data?.invitations ?? []).filter((invitation) => invitation.accepted_by);
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">{t('members.title')}</h2>
      <p className="hint">{t('members.noList')}</p>
      <div className="admin-columns">
        <MemberForm onChanged={record} />
        <RemoveMemberForm onRemoved={(user) => record({ user, role: null, flows: null })} />
      </div>
      {changes.length > 0 ? (
        <>
          <h3>{t('members.changedHere')}</h3>
          <table className="list" aria-label={t('members.changedHere')}>
            <thead>
              <tr>
                <th scope="col">{t('members.user')}</th>
                <th scope="col">{t('members.role')}</th>
                <th scope="col">{t('members.flowsLimit')}</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((change) => (
                <tr key={change.user}>
                  <td>{change.user}</td>
                  <td>{change.role ? t(`roles.${change.role}`) : t('members.removed')}</td>
                  <td>{change.flows?.join(', ') ?? t('members.allFlows')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <h3>{t('members.joined')}</h3>
      <ErrorNote error={invitations.error} />
      {invitations.data && joined.length === 0 ? <p>{t('members.joinedNone')}</p> : null}
      {joined.length > 0 ? (
        <table className="list" aria-label={t('members.joined')} data-testid="joined-members">
          <thead>
            <tr>
              <th scope="col">{t('members.user')}</th>
              <th scope="col">{t('members.roleAtJoin')}</th>
              <th scope="col">{t('members.joinedAt')}</th>
              <th scope="col">{t('invitations.createdBy')}</th>
            </tr>
          </thead>
          <tbody>
            {joined.map((invitation) => (
              <tr key={invitation.id}>
                <td>{invitation.accepted_by}</td>
                <td>{t(`roles.${invitation.role}`)}</td>
                <td>
                  <Time at={invitation.accepted_at} />
                </td>
                <td>{invitation.created_by}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
