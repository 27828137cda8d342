// In the flow's editor, for roles that may publish: offer the flow (its
// latest version) as a light app, with the link to share, or stop offering it.
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { CopyButton } from '../admin/ui/CopyButton';
import { lightAppLink } from './shareLink';
import './light.css';

export function LightAppToggle({ tenant, flow }: { tenant: string; flow: string }) {
  const { t } = useTranslation('market');
  const path = { tenant, name: flow };
  const offered = useLoad(
    () =>
      ok(api.GET('/api/v1/tenants/{tenant}/light-apps', { params: { path: { tenant } } })).then((answer) =>
        answer.light_apps.some((app) => app.flow === flow),
      ),
    [tenant, flow],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const field = useRef<HTMLInputElement>(null);
  const change = async (on: boolean) => {
    setBusy(true);
    setError(null);
    try {
      if (on) await ok(api.PUT('/api/v1/tenants/{tenant}/flows/{name}/light-app', { params: { path }, body: {} }));
      else await ok(api.DELETE('/api/v1/tenants/{tenant}/flows/{name}/light-app', { params: { path } }));
      offered.setData(on);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const link = lightAppLink(window.location.origin, tenant, flow);
  return (
    <div className="light-share" data-testid="light-app-toggle">
      <button
        type="button"
        aria-pressed={offered.data === true}
        disabled={busy || offered.data === null}
        onClick={() => void change(!offered.data)}
      >
        {t('light.toggle')}
      </button>
      {offered.data ? (
        <>
          <input ref={field} readOnly value={link} aria-label={t('light.shareLink')} onFocus={(e) => e.target.select()} />
          <CopyButton value={link} what={t('light.shareLink')} fallback={() => field.current?.select()} />
        </>
      ) : null}
      <ErrorNote error={error ?? offered.error} />
    </div>
  );
}
