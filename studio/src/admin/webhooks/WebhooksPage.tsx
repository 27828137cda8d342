import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { ErrorNote } from '../../ui/ErrorNote';
import { FlowSelect } from '../ui/FlowSelect';
import { ShownOnce } from '../ui/ShownOnce';
import { absoluteUrl } from '../ui/forms';
import { useAction } from '../ui/useAction';

/**
 * A flow's webhook: make or rotate it (the URL is shown once — the server
 * keeps only its hash) and revoke it. Firing it starts a run of the flow's
 * latest version with the request body as input.
 */
export function WebhooksPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [flow, setFlow] = useState('');
  const [url, setUrl] = useState<string | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const action = useAction();
  const path = { tenant: tenant.name, name: flow };
  const rotate = async () => {
    setUrl(null);
    setRevoked(null);
    const answer = await action.run(() => ok(api.PUT('/api/v1/tenants/{tenant}/flows/{name}/webhook', { params: { path } })));
    if (answer) setUrl(absoluteUrl(window.location.origin, answer.path));
  };
  const revoke = async () => {
    await ok(api.DELETE('/api/v1/tenants/{tenant}/flows/{name}/webhook', { params: { path } }));
    setUrl(null);
    setRevoked(flow);
  };
  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">{t('webhooks.title')}</h2>
      <p className="hint">{t('webhooks.intro')}</p>
      <div className="card admin-form">
        <FlowSelect
          value={flow}
          onChange={(next) => {
            setFlow(next);
            setUrl(null);
            setRevoked(null);
            action.clear();
          }}
        />
        <div className="row">
          <button type="button" className="primary" disabled={!flow || action.busy} onClick={() => void rotate()}>
            {t('webhooks.rotate')}
          </button>
          <ConfirmButton
            className="danger"
            label={t('webhooks.revoke')}
            question={t('webhooks.revokeQuestion', { flow })}
            disabled={!flow}
            onConfirm={revoke}
          />
        </div>
        <ErrorNote error={action.error} />
        {url ? (
          <>
            <ShownOnce label={t('webhooks.url', { flow })} value={url} onDismiss={() => setUrl(null)} />
            <p className="hint">{t('webhooks.usage')}</p>
          </>
        ) : null}
        {revoked ? (
          <p role="status" className="admin-ok">
            {t('webhooks.revoked', { flow: revoked })}
          </p>
        ) : null}
      </div>
    </section>
  );
}
