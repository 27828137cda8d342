import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { RoleSelect } from '../ui/RoleSelect';
import { flowLimit } from '../ui/forms';
import { useAction } from '../ui/useAction';

export interface MembershipChange {
  user: string;
  role: string | null;
  flows: string[] | null;
}

/** Add a member or change their role (`PUT …/members/{user}`), optionally limited to some flows. */
export function MemberForm({ onChanged }: { onChanged: (change: MembershipChange) => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [user, setUser] = useState('');
  const [role, setRole] = useState('viewer');
  const [flows, setFlows] = useState('');
  const action = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await action.run(() =>
      ok(
        api.PUT('/api/v1/tenants/{tenant}/members/{user}', {
          params: { path: { tenant: tenant.name, user: user.trim() } },
          body: { role, flows: flowLimit(flows) },
        }),
      ),
    );
    if (answer) {
      onChanged({ user: answer.user, role: answer.role, flows: answer.flows ?? null });
      setUser('');
      setFlows('');
    }
  };
  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)}>
      <h3>{t('members.setTitle')}</h3>
      <label>
        {t('members.user')}
        <input value={user} required autoComplete="off" onChange={(e) => setUser(e.target.value)} />
      </label>
      <RoleSelect label={t('members.role')} value={role} onChange={setRole} />
      <label>
        {t('members.flows')}
        <input value={flows} onChange={(e) => setFlows(e.target.value)} aria-describedby="member-flows-hint" />
      </label>
      <p id="member-flows-hint" className="hint">
        {t('members.flowsHint')}
      </p>
      <ErrorNote error={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        {t('members.set')}
      </button>
    </form>
  );
}
