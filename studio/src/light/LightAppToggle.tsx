// In the flow's editor, for roles that may publish: offer the flow (its
// latest version) as a light app, with the link to share and the page's
// title and description, or stop offering it.
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { CopyButton } from '../admin/ui/CopyButton';
import { lightAppLink } from './shareLink';
import './light.css';

interface Offered {
  title: string;
  description: string;
}

export function LightAppToggle({ tenant, flow }: { tenant: string; flow: string }) {
  const { t } = useTranslation('market');
  const path = { tenant, name: flow };
  // What is offered now (null: not offered); `undefined` data while loading.
  const offered = useLoad(
    () =>
      ok(api.GET('/api/v1/tenants/{tenant}/light-apps', { params: { path: { tenant } } })).then(
        (answer): Offered | false => answer.light_apps.find((app) => app.flow === flow) ?? false,
      ),
    [tenant, flow],
  );
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const field = useRef<HTMLInputElement>(null);
  const put = async (body: { title?: string; description?: string }) => {
    const answer = await ok(api.PUT('/api/v1/tenants/{tenant}/flows/{name}/light-app', { params: { path }, body }));
    offered.setData({ title: answer.title, description: answer.description });
  };
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const toggle = () =>
    act(async () => {
      if (offered.data) {
        await ok(api.DELETE('/api/v1/tenants/{tenant}/flows/{name}/light-app', { params: { path } }));
        offered.setData(false);
      } else {
        await put({});
      }
    });
  const describe = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget);
    void act(async () => {
      await put({ title: String(fields.get('light-title') ?? ''), description: String(fields.get('light-description') ?? '') });
      setSaved(true);
    });
  };
  const link = lightAppLink(window.location.origin, tenant, flow);
  const on = offered.data ? offered.data : null;
  return (
    <div className="light-share" data-testid="light-app-toggle">
      <button type="button" aria-pressed={on !== null} disabled={busy || offered.data === null} onClick={() => void toggle()}>
        {t('light.toggle')}
      </button>
      {on ? (
        <>
          <input ref={field} readOnly value={link} aria-label={t('light.shareLink')} onFocus={(e) => e.target.select()} />
          <CopyButton value={link} what={t('light.shareLink')} fallback={() => field.current?.select()} />
          <details>
            <summary>{t('light.describe')}</summary>
            <form className="light-describe" onSubmit={describe}>
              <label>
                {t('light.pageTitle')}
                <input name="light-title" defaultValue={on.title} />
              </label>
              <label>
                {t('light.pageDescription')}
                <input name="light-description" defaultValue={on.description} />
              </label>
              <button type="submit" disabled={busy}>
                {t('light.save')}
              </button>
              {saved ? <span role="status">{t('light.saved')}</span> : null}
            </form>
          </details>
        </>
      ) : null}
      <ErrorNote error={error ?? offered.error} />
    </div>
  );
}
