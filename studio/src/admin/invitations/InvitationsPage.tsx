import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';
import { Time } from '../ui/Time';
import { InvitationForm } from './InvitationForm';
import { invitationState } from './invitationState';

/** Invitations: make one (its link shown once), see them all (never their codes), revoke an open one. */
export function InvitationsPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [showClosed, setShowClosed] = useState(false);
  const invitations = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/invitations', { params: { path: { tenant: tenant.name } } })),
    [tenant.name],
  );
  const now = new Date();
  const all = invitations.data?.invitations ?? [];
  const shown = all.filter((invitation) => showClosed || invitationState(invitation, now) === 'open');
  const revoke = async (id: string) => {
    await ok(api.DELETE('/api/v1/tenants/{tenant}/invitations/{id}', { params: { path: { tenant: tenant.name, id } } }));
    invitations.reload();
  };
  return (
    <section aria-labelledby="invitations-title">
      <h2 id="invitations-title">{t('invitations.title')}</h2>
      <InvitationForm onCreated={invitations.reload} />
      <div className="row admin-toolbar">
        <h3>{showClosed ? t('invitations.all') : t('invitations.open')}</h3>
        <span className="spacer" />
        <label className="inline">
          <input type="checkbox" checked={showClosed} onChange={(e) => setShowClosed(e.target.checked)} />
          {t('invitations.showClosed')}
        </label>
      </div>
      <ErrorNote error={invitations.error} />
      {invitations.data && shown.length === 0 ? <p>{t('invitations.none')}</p> : null}
      {shown.length > 0 ? (
        <table className="list" aria-label={t('invitations.title')}>
          <thead>
            <tr>
              <th scope="col">{t('invitations.role')}</th>
              <th scope="col">{t('invitations.createdBy')}</th>
              <th scope="col">{t('invitations.createdAt')}</th>
              <th scope="col">{t('invitations.expiresAt')}</th>
              <th scope="col">{t('invitations.state')}</th>
              <th scope="col">{t('columns.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((invitation) => {
              const state = invitationState(invitation, now);
              return (
                <tr key={invitation.id}>
                  <td>{t(`roles.${invitation.role}`)}</td>
                  <td>{invitation.created_by}</td>
                  <td>
                    <Time at={invitation.created_at} />
                  </td>
                  <td>
                    <Time at={invitation.expires_at} />
                  </td>
                  <td>
                    {state === 'accepted'
                      ? t('invitations.acceptedBy', { user: invitation.accepted_by })
                      : t(`invitations.states.${state}`)}
                  </td>
                  <td>
                    {state === 'open' ? (
                      <ConfirmButton
                        className="danger"
                        label={t('invitations.revoke')}
                        question={t('invitations.revokeQuestion', { role: t(`roles.${invitation.role}`) })}
                        onConfirm={() => revoke(invitation.id)}
                      />
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
