// Where an invitation link can lead once the app mounts it outside the
// session guard (`/join/:code`): the invitee joins as a new user or as an
// existing one with their password, is logged in, and lands in the tenant.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, ok } from '../../api/client';
import { useSession } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useAction } from '../ui/useAction';
import '../admin.css';

export default function AcceptInvitationPage() {
  const { t } = useTranslation('admin');
  const { code = '' } = useParams();
  const { login } = useSession();
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const joined = await action.run(async () => {
      const answer = await ok(
        api.POST('/api/v1/invitations/{code}/accept', { params: { path: { code } }, body: { username, password } }),
      );
      // The answer's token is for scripts; the studio keeps its own session cookie.
      await login(username, password);
      return answer;
    });
    if (joined) navigate(`/t/${joined.tenant}/flows`, { replace: true });
  };
  return (
    <main className="login">
      <form className="card" onSubmit={(e) => void submit(e)}>
        <h1>{t('accept.title')}</h1>
        <p className="hint">{t('accept.hint')}</p>
        <label>
          {t('accept.username')}
          <input value={username} required autoComplete="username" onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          {t('accept.password')}
          <input
            type="password"
            value={password}
            required
            minLength={8}
            autoComplete="current-password"
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <ErrorNote error={action.error} />
        <button type="submit" className="primary" disabled={action.busy}>
          {t('accept.submit')}
        </button>
      </form>
    </main>
  );
}
