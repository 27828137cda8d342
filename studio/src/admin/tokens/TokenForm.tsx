import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { RoleSelect } from '../ui/RoleSelect';
import { ShownOnce } from '../ui/ShownOnce';
import { expiresIn } from '../ui/forms';
import { useAction } from '../ui/useAction';

/** Make an API token (name, role at most one's own, optional expiry); the token is shown once. */
export function TokenForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [name, setName] = useState('');
  const [role, setRole] = useState(tenant.role === 'owner' || tenant.role === 'admin' ? 'developer' : tenant.role || 'viewer');
  const [expiry, setExpiry] = useState('30d');
  const [token, setToken] = useState<string | null>(null);
  const action = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setToken(null);
    const answer = await action.run(() =>
      ok(
        api.POST('/api/v1/tenants/{tenant}/tokens', {
          params: { path: { tenant: tenant.name } },
          body: { name: name.trim(), role, ...expiresIn(expiry) },
        }),
      ),
    );
    if (answer) {
      setToken(answer.token);
      setName('');
      onCreated();
    }
  };
  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)}>
      <h3>{t('tokens.createTitle')}</h3>
      <label>
        {t('tokens.name')}
        <input value={name} required maxLength={100} onChange={(e) => setName(e.target.value)} />
      </label>
      <RoleSelect label={t('tokens.role')} value={role} onChange={setRole} />
      <label>
        {t('tokens.expiresIn')}
        <input value={expiry} onChange={(e) => setExpiry(e.target.value)} aria-describedby="token-expiry-hint" />
      </label>
      <p id="token-expiry-hint" className="hint">
        {t('tokens.expiresHint')}
      </p>
      <ErrorNote error={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        {t('tokens.create')}
      </button>
      {token ? <ShownOnce label={t('tokens.token')} value={token} onDismiss={() => setToken(null)} /> : null}
    </form>
  );
}
