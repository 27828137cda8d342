import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { RoleSelect } from '../ui/RoleSelect';
import { ShownOnce } from '../ui/ShownOnce';
import { acceptanceLink, expiresIn, flowLimit } from '../ui/forms';
import { useAction } from '../ui/useAction';

/** Invite someone with a role (and optionally a flows limit and an expiry); the link is shown once. */
export function InvitationForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [role, setRole] = useState('viewer');
  const [flows, setFlows] = useState('');
  const [expiry, setExpiry] = useState('');
  const [link, setLink] = useState<string | null>(null);
  const action = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setLink(null);
    const answer = await action.run(() =>
      ok(
        api.POST('/api/v1/tenants/{tenant}/invitations', {
          params: { path: { tenant: tenant.name } },
          body: { role, flows: flowLimit(flows), ...expiresIn(expiry) },
        }),
      ),
    );
    if (answer) {
      setLink(acceptanceLink(window.location.origin, answer.code));
      setFlows('');
      setExpiry('');
      onCreated();
    }
  };
  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)}>
      <h3>{t('invitations.createTitle')}</h3>
      <RoleSelect label={t('invitations.role')} value={role} onChange={setRole} />
      <label>
        {t('members.flows')}
        <input value={flows} onChange={(e) => setFlows(e.target.value)} aria-describedby="invite-flows-hint" />
      </label>
      <p id="invite-flows-hint" className="hint">
        {t('members.flowsHint')}
      </p>
      <label>
        {t('invitations.expiresIn')}
        <input value={expiry} placeholder="7d" onChange={(e) => setExpiry(e.target.value)} aria-describedby="invite-expiry-hint" />
      </label>
      <p id="invite-expiry-hint" className="hint">
        {t('invitations.expiresHint')}
      </p>
      <ErrorNote error={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        {t('invitations.create')}
      </button>
      {link ? (
        <>
          <ShownOnce label={t('invitations.link')} value={link} onDismiss={() => setLink(null)} />
          <p className="hint">{t('invitations.linkHint')}</p>
        </>
      ) : null}
    </form>
  );
}
