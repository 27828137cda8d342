// The apps this tenant publishes: who sees each (public, or private to the
// tenants named) and its versions, each of which can be yanked (no new
// installs) or restored.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ConfirmButton } from '../ui/ConfirmButton';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { useAction } from '../admin/ui/useAction';
import { Time } from '../admin/ui/Time';
import { normalise, splitList } from './capabilities';
import type { Prefill } from './PublishForm';

type OwnApp = { name: string; title: string; latest_version: string; install_count: number; visibility: string };

export function OwnApps({ generation, onNewVersion }: { generation: number; onNewVersion: (prefill: Prefill) => void }) {
  const { t } = useTranslation('market');
  const tenant = useTenant();
  const apps = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/apps', { params: { path: { tenant: tenant.name } } })),
    [tenant.name, generation],
  );
  const list = apps.data?.apps ?? [];
  return (
    <section aria-labelledby="own-apps-title">
      <h3 id="own-apps-title">{t('own.title')}</h3>
      <ErrorNote error={apps.error} />
      {apps.data && list.length === 0 ? <p>{t('own.none')}</p> : null}
      {list.map((app) => (
        <OwnAppCard key={app.name} app={app} generation={generation} onChanged={apps.reload} onNewVersion={onNewVersion} />
      ))}
    </section>
  );
}

function OwnAppCard({
  app,
  generation,
  onChanged,
  onNewVersion,
}: {
  app: OwnApp;
  generation: number;
  onChanged: () => void;
  onNewVersion: (prefill: Prefill) => void;
}) {
  const { t } = useTranslation('market');
  const tenant = useTenant();
  const path = { tenant: tenant.name, app: app.name };
  const page = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/market/apps/{app}', { params: { path } })),
    [tenant.name, app.name, generation],
  );
  const yank = async (version: string, action: 'yank' | 'unyank') => {
    await ok(api.POST('/api/v1/tenants/{tenant}/apps/{app}/versions/{version}/{action}', { params: { path: { ...path, version, action } } }));
    page.reload();
    onChanged();
  };
  return (
    <article className="card market-own" data-app={app.name} aria-labelledby={`own-${app.name}`}>
      <h4 id={`own-${app.name}`}>
        <Link to={`/t/${tenant.name}/market/apps/${encodeURIComponent(app.name)}`}>{app.title || app.name}</Link>{' '}
        <span className="hint market-mono">{app.name}</span>
      </h4>
      <p className="hint">
        {t('app.latest', { version: app.latest_version })} · {t('catalog.installs', { count: app.install_count })}
      </p>
      <ErrorNote error={page.error} />
      {page.data ? (
        <button
          type="button"
          // Right after a publish the page still holds the version before it, until it is read again.
          disabled={page.loading}
          onClick={() => {
            const data = page.data!;
            const newest = data.versions[0];
            onNewVersion({
              name: data.name,
              latest: data.latest_version,
              title: data.title,
              description: data.description,
              categories: data.categories,
              readme: data.readme,
              flows: newest?.flows ?? [],
              capabilities: normalise(newest?.capabilities ?? data.capabilities),
            });
            document.getElementById('publish-form-title')?.scrollIntoView();
          }}
        >
          {t('own.newVersion')}
        </button>
      ) : null}
      {page.data ? (
        <VisibilityForm
          app={app.name}
          visibility={page.data.visibility}
          sharedWith={page.data.shared_with}
          onSaved={() => {
            page.reload();
            onChanged();
          }}
        />
      ) : null}
      {page.data ? (
        <table className="list" aria-label={t('own.versionsOf', { app: app.name })}>
          <thead>
            <tr>
              <th scope="col">{t('own.version')}</th>
              <th scope="col">{t('own.published')}</th>
              <th scope="col">{t('own.state')}</th>
              <th scope="col">{t('own.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {page.data.versions.map((v) => (
              <tr key={v.version} data-version={v.version}>
                <td className="market-mono">{v.version}</td>
                <td>
                  <Time at={v.published_at} />
                </td>
                <td>{v.yanked ? t('app.yanked') : t('own.available')}</td>
                <td>
                  <ConfirmButton
                    className={v.yanked ? undefined : 'danger'}
                    label={v.yanked ? t('own.unyank', { version: v.version }) : t('own.yank', { version: v.version })}
                    question={t(v.yanked ? 'own.unyankQuestion' : 'own.yankQuestion', { app: app.name, version: v.version })}
                    onConfirm={() => yank(v.version, v.yanked ? 'unyank' : 'yank')}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </article>
  );
}

function VisibilityForm({
  app,
  visibility,
  sharedWith,
  onSaved,
}: {
  app: string;
  visibility: string;
  sharedWith: string[];
  onSaved: () => void;
}) {
  const { t } = useTranslation('market');
  const tenant = useTenant();
  const [choice, setChoice] = useState(visibility === 'public' ? 'public' : 'private');
  const [shared, setShared] = useState(sharedWith.join(', '));
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const answered = await action.run(() =>
      ok(
        api.PUT('/api/v1/tenants/{tenant}/apps/{app}/visibility', {
          params: { path: { tenant: tenant.name, app } },
          body: { visibility: choice as 'public' | 'private', shared_with: choice === 'private' ? splitList(shared) : [] },
        }),
      ),
    );
    if (answered) {
      setSaved(true);
      onSaved();
    }
  };
  return (
    <form className="row market-visibility" onSubmit={(e) => void submit(e)}>
      <label className="inline">
        {t('own.visibility')}
        <select name="visibility" value={choice} onChange={(e) => setChoice(e.target.value)}>
          <option value="private">{t('own.private')}</option>
          <option value="public">{t('own.public')}</option>
        </select>
      </label>
      {choice === 'private' ? (
        <label className="inline">
          {t('own.sharedWith')}
          <input name="shared-with" value={shared} onChange={(e) => setShared(e.target.value)} placeholder={t('own.sharedWithPlaceholder')} />
        </label>
      ) : null}
      <button type="submit" disabled={action.busy}>
        {t('own.saveVisibility')}
      </button>
      <ErrorNote error={action.error} />
      {saved ? (
        <span role="status" className="market-ok">
          {t('own.visibilitySaved')}
        </span>
      ) : null}
    </form>
  );
}
