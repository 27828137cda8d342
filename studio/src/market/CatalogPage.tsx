import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';

/** The apps this tenant may see, searched by text and filtered by category (both kept in the URL). */
export function CatalogPage() {
  const { t } = useTranslation('market');
  const tenant = useTenant();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const category = params.get('category') ?? '';
  const [text, setText] = useState(q);
  const path = { tenant: tenant.name };
  // Every category among the apps visible at all, for the filter.
  const everything = useLoad(() => ok(api.GET('/api/v1/tenants/{tenant}/market/apps', { params: { path } })), [tenant.name]);
  const shown = useLoad(
    () =>
      ok(
        api.GET('/api/v1/tenants/{tenant}/market/apps', {
          params: { path, query: { ...(q ? { q } : {}), ...(category ? { category } : {}) } },
        }),
      ),
    [tenant.name, q, category],
  );
  const categories = [...new Set((everything.data?.apps ?? []).flatMap((app) => app.categories))].sort();
  const apply = (next: { q?: string; category?: string }) => {
    const merged = { q, category, ...next };
    const search = new URLSearchParams();
    if (merged.q) search.set('q', merged.q);
    if (merged.category) search.set('category', merged.category);
    setParams(search);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply({ q: text.trim() });
  };
  const apps = shown.data?.apps ?? [];
  return (
    <section aria-labelledby="catalog-title">
      <h2 id="catalog-title">{t('catalog.title')}</h2>
      <form role="search" className="row market-search" onSubmit={submit}>
        <label className="inline">
          {t('catalog.search')}
          <input type="search" name="q" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <label className="inline">
          {t('catalog.category')}
          <select value={category} onChange={(e) => apply({ q: text.trim(), category: e.target.value })}>
            <option value="">{t('catalog.allCategories')}</option>
            {categories.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('catalog.searchButton')}</button>
      </form>
      <ErrorNote error={shown.error ?? everything.error} />
      {shown.loading && !shown.data ? <p>{t('state.loading', { ns: 'common' })}</p> : null}
      {shown.data && apps.length === 0 ? <p role="status">{q || category ? t('catalog.noMatch') : t('catalog.none')}</p> : null}
      {apps.length > 0 ? (
        <ul className="market-cards" aria-label={t('catalog.list')}>
          {apps.map((app) => (
            <li key={app.name} className="card market-card" data-app={app.name}>
              <h3>
                <Link to={`/t/${tenant.name}/market/apps/${encodeURIComponent(app.name)}`}>{app.title || app.name}</Link>
              </h3>
              <p className="hint market-mono">
                {app.name} · {t('catalog.by', { publisher: app.publisher })} · {app.latest_version}
              </p>
              {app.description ? <p>{app.description}</p> : null}
              <p className="market-meta">
                {app.categories.map((c) => (
                  <span key={c} className="market-tag">
                    {c}
                  </span>
                ))}
                <span>{t('catalog.installs', { count: app.install_count })}</span>
                {app.installed_version ? (
                  <strong className="market-installed">
                    {app.installed_version === app.latest_version
                      ? t('catalog.installedVersion', { version: app.installed_version })
                      : t('catalog.upgradeAvailable', { version: app.installed_version, latest: app.latest_version })}
                  </strong>
                ) : null}
              </p>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
