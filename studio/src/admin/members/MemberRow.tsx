import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { RoleSelect } from '../ui/RoleSelect';

export interface Member {
  username: string;
  role: string;
  flows: string[] | null;
}

/**
 * One member: their role changed in place (confirmed, keeping their flow
 * limit) and their removal (confirmed). An owner is left alone by callers
 * who may not manage owners: the API would refuse any change.
 */
export function MemberRow({ member, onChanged }: { member: Member; onChanged: () => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [role, setRole] = useState(member.role);
  const untouchable = member.role === 'owner' && !tenant.may('manage_owners');
  const path = { tenant: tenant.name, user: member.username };
  const change = async () => {
    await ok(api.PUT('/api/v1/tenants/{tenant}/members/{user}', { params: { path }, body: { role, flows: member.flows ?? undefined } }));
    onChanged();
  };
  const remove = async () => {
    await ok(api.DELETE('/api/v1/tenants/{tenant}/members/{user}', { params: { path } }));
    onChanged();
  };
  return (
    <tr data-member={member.username}>
      <td>{member.username}</td>
      <td>
        {untouchable ? (
          t(`roles.${member.role}`)
        ) : (
          <div className="row">
            <RoleSelect labelHidden label={t('members.roleOf', { user: member.username })} value={role} onChange={setRole} />
            <ConfirmButton
              label={t('members.changeRole')}
              question={t('members.changeQuestion', {
                user: member.username,
                from: t(`roles.${member.role}`),
                to: t(`roles.${role}`),
              })}
              disabled={role === member.role}
              onConfirm={change}
            />
          </div>
        )}
      </td>
      <td>{member.flows?.join(', ') ?? t('members.allFlows')}</td>
      <td>
        {untouchable ? null : (
          <ConfirmButton
            className="danger"
            label={t('members.remove')}
            question={t('members.removeQuestion', { user: member.username })}
            onConfirm={remove}
          />
        )}
      </td>
    </tr>
  );
}
