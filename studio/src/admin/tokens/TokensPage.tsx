import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';
import { Revocation } from '../ui/Revocation';
import { Time } from '../ui/Time';
import { TokenForm } from './TokenForm';

/** API tokens: one's own (everyone's for member managers); make one (shown once), revoke. */
export function TokensPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [showRevoked, setShowRevoked] = useState(false);
  const tokens = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/tokens', { params: { path: { tenant: tenant.name } } })),
    [tenant.name],
  );
  const now = Date.now();
  const live = (token: { revoked_at?: string | null; expires_at?: string | null }) =>
    !token.revoked_at && !(token.expires_at && new Date(token.expires_at).getTime() <= now);
  const shown = (tokens.data?.tokens ?? []).filter((token) => showRevoked || live(token));
  const revoke = async (id: string) => {
    await ok(api.DELETE('/api/v1/tenants/{tenant}/tokens/{id}', { params: { path: { tenant: tenant.name, id } } }));
    tokens.reload();
  };
  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">{t('tokens.title')}</h2>
      <p className="hint">{tenant.may('manage_members') ? t('tokens.scopeAll') : t('tokens.scopeOwn')}</p>
      <TokenForm onCreated={tokens.reload} />
      <div className="row admin-toolbar">
        <h3>{t('tokens.list')}</h3>
        <span className="spacer" />
        <label className="inline">
          <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
          {t('tokens.showRevoked')}
        </label>
      </div>
      <ErrorNote error={tokens.error} />
      {tokens.data && shown.length === 0 ? <p>{t('tokens.none')}</p> : null}
      {shown.length > 0 ? (
        <table className="list" aria-label={t('tokens.list')}>
          <thead>
            <tr>
              <th scope="col">{t('tokens.name')}</th>
              <th scope="col">{t('tokens.role')}</th>
              <th scope="col">{t('tokens.createdBy')}</th>
              <th scope="col">{t('tokens.createdAt')}</th>
              <th scope="col">{t('tokens.expiresAt')}</th>
              <th scope="col">{t('columns.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>{t(`roles.${token.role}`)}</td>
                <td>{token.created_by}</td>
                <td>
                  <Time at={token.created_at} />
                </td>
                <td>{token.expires_at ? <Time at={token.expires_at} /> : t('tokens.never')}</td>
                <td>
                  <Revocation
                    revokedAt={token.revoked_at}
                    expired={!live(token)}
                    canRevoke
                    question={t('tokens.revokeQuestion', { name: token.name })}
                    onRevoke={() => revoke(token.id)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
