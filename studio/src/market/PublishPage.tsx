import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { OwnApps } from './OwnApps';
import { PublishForm, type Prefill } from './PublishForm';

/** Publishing the tenant's flows as an app, and the apps it publishes (visibility, yank). */
export function PublishPage() {
  const { t } = useTranslation('market');
  const tenant = useTenant();
  const [generation, setGeneration] = useState(0);
  const [prefill, setPrefill] = useState<Prefill | null>(null);
  const [formKey, setFormKey] = useState(0);
  const publisher = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/publisher', { params: { path: { tenant: tenant.name } } })),
    [tenant.name, generation],
  );
  return (
    <section aria-labelledby="publish-title">
      <h2 id="publish-title">{t('publish.title')}</h2>
      <p className="hint">{t('publish.intro')}</p>
      <ErrorNote error={publisher.error} />
      {publisher.data ? (
        <p className="hint">
          {publisher.data.public_key ? (
            <>
              {t('publish.key', { algorithm: publisher.data.algorithm })} <code className="market-mono">{publisher.data.public_key}</code>
            </>
          ) : (
            t('publish.noKey')
          )}
        </p>
      ) : null}
      <PublishForm key={formKey} prefill={prefill} onPublished={() => setGeneration((g) => g + 1)} />
      <OwnApps
        generation={generation}
        onNewVersion={(next) => {
          setPrefill(next);
          setFormKey((k) => k + 1);
        }}
      />
    </section>
  );
}
