import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ConfirmButton } from '../../ui/ConfirmButton';

/** Remove a member by name (`DELETE …/members/{user}`), after a confirmation. */
export function RemoveMemberForm({ onRemoved }: { onRemoved: (user: string) => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [user, setUser] = useState('');
  const remove = async () => {
    const name = user.trim();
    await ok(api.DELETE('/api/v1/tenants/{tenant}/members/{user}', { params: { path: { tenant: tenant.name, user: name } } }));
    onRemoved(name);
    setUser('');
  };
  return (
    <form className="card admin-form" onSubmit={(e) => e.preventDefault()}>
      <h3>{t('members.removeTitle')}</h3>
      <label>
        {t('members.user')}
        <input value={user} autoComplete="off" onChange={(e) => setUser(e.target.value)} />
      </label>
      <ConfirmButton
        className="danger"
        label={t('members.remove')}
        question={t('members.removeQuestion', { user: user.trim() })}
        disabled={user.trim() === ''}
        onConfirm={remove}
      />
    </form>
  );
}
