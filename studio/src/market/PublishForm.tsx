// "Publish as app": the tenant's published flows to ship, the manifest's
// fields, and the capabilities (atoms prefilled from the plugins the chosen
// flows call). Every problem of a refused app is listed.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiFailure, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { atomsOfFlows, problemsOf, splitList, type Capabilities, type Kind } from './capabilities';
import { CapabilitiesEditor, capabilitiesOfForm } from './CapabilitiesEditor';
import { ProblemList } from './ProblemList';

type Lists = Record<Exclude<Kind, 'atoms'>, string>;
const NO_LISTS: Lists = { http: '', secrets: '', hosts: '', notify: '' };

/** What a new version of an app this tenant publishes starts from (its latest version's manifest). */
export interface Prefill {
  name: string;
  latest: string;
  title: string;
  description: string;
  categories: string[];
  readme: string;
  flows: string[];
  capabilities: Capabilities;
}

interface FlowDoc {
  nodes?: { kind?: string; plugin?: string; body?: { plugin?: string } }[];
}

export function PublishForm({ onPublished, prefill }: { onPublished: () => void; prefill?: Prefill | null }) {
  const { t } = useTranslation('market');
  const tenant = useTenant();
  const path = { tenant: tenant.name };
  const flows = useLoad(() => ok(api.GET('/api/v1/tenants/{tenant}/flows', { params: { path } })), [tenant.name]);
  const plugins = useLoad(() => ok(api.GET('/api/v1/tenants/{tenant}/plugins', { params: { path } })), [tenant.name]);
  // Only the tenant's own flows with a published version can ship.
  const shippable = useMemo(
    () => (flows.data?.flows ?? []).filter((f) => !f.name.includes('/') && f.latest_version !== null),
    [flows.data],
  );
  const versionField = useRef<HTMLInputElement>(null);
  // A new version of an existing app: the reader goes on with its version number.
  useEffect(() => {
    if (prefill) versionField.current?.focus();
  }, [prefill]);
  const [chosen, setChosen] = useState<string[]>(prefill?.flows ?? []);
  const [docs, setDocs] = useState<Map<string, FlowDoc>>(new Map());
  const [docsError, setDocsError] = useState<unknown>(null);
  // A new version starts from the atoms its previous version declared; a
  // first version from those its flows' plugins use, once they are known.
  const [atoms, setAtoms] = useState<string[]>(prefill?.capabilities.atoms ?? []);
  const [atomsTouched, setAtomsTouched] = useState(Boolean(prefill));
  const [lists, setLists] = useState<Lists>(
    prefill
      ? {
          http: prefill.capabilities.http.join('\n'),
          secrets: prefill.capabilities.secrets.join('\n'),
          hosts: prefill.capabilities.hosts.join('\n'),
          notify: prefill.capabilities.notify.join('\n'),
        }
      : NO_LISTS,
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  // A flow the previous version shipped may not be shippable any more (no
  // published version, removed): it cannot be chosen, nor read.
  useEffect(() => {
    if (!flows.data) return;
    setChosen((before) => {
      const kept = before.filter((name) => shippable.some((f) => f.name === name));
      return kept.length === before.length ? before : kept;
    });
  }, [flows.data, shippable]);
  // The latest version of each chosen flow, to see which plugins it calls
  // (which version that is is known once the flows are listed).
  useEffect(() => {
    const missing = chosen.filter((name) => !docs.has(name) && shippable.some((f) => f.name === name));
    if (missing.length === 0 || !flows.data) return;
    let current = true;
    Promise.all(
      missing.map(async (name) => {
        const latest = shippable.find((f) => f.name === name)?.latest_version;
        const version = await ok(
          api.GET('/api/v1/tenants/{tenant}/flows/{name}/versions/{version}', {
            params: { path: { tenant: tenant.name, name, version: String(latest) } },
          }),
        );
        return [name, (version as unknown as { flow: FlowDoc }).flow] as const;
      }),
    )
      .then((loaded) => current && setDocs((before) => new Map([...before, ...loaded])))
      .catch((failure: unknown) => current && setDocsError(failure));
    return () => {
      current = false;
    };
  }, [chosen, docs, flows.data, shippable, tenant.name]);

  const listed = useMemo(
    () => (plugins.data?.plugins ?? []).filter((p) => !p.yanked).map((p) => ({ name: p.name, version: p.version, capabilities: p.capabilities })),
    [plugins.data],
  );
  const suggestion = useMemo(
    () => atomsOfFlows(chosen.map((name) => docs.get(name)).filter((d): d is FlowDoc => d !== undefined), listed),
    [chosen, docs, listed],
  );
  // Until every chosen flow and the plugins are read, the suggestion is
  // partial: publishing atoms taken from it then would ship atoms the reader
  // never saw (atoms chosen by hand, or kept from the previous version, are
  // what the reader sees).
  const suggestionReady = plugins.data !== null && chosen.every((name) => docs.has(name));
  useEffect(() => {
    if (!atomsTouched && suggestionReady) setAtoms(suggestion.atoms);
  }, [suggestion, suggestionReady, atomsTouched]);

  const choose = (name: string, on: boolean) => setChosen((before) => (on ? [...before, name] : before.filter((n) => n !== name)));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget);
    const text = (name: string) => String(fields.get(name) ?? '').trim();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const published = await ok(
        api.POST('/api/v1/tenants/{tenant}/apps/from-flows', {
          params: { path },
          body: {
            name: text('app-name'),
            version: text('app-version'),
            title: text('app-title'),
            description: text('app-description'),
            categories: splitList(text('app-categories')),
            changelog: String(fields.get('app-changelog') ?? ''),
            readme: String(fields.get('app-readme') ?? ''),
            flows: chosen,
            capabilities: capabilitiesOfForm(atoms, lists),
          },
        }),
      );
      setDone(t('publish.done', { app: published.app, version: published.version }));
      onPublished();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const problems = error instanceof ApiFailure ? problemsOf(error.details) : [];
  return (
    <form className="card market-publish" onSubmit={(e) => void submit(e)} aria-labelledby="publish-form-title">
      <h3 id="publish-form-title">{prefill ? t('publish.newVersionOf', { app: prefill.name, latest: prefill.latest }) : t('publish.formTitle')}</h3>
      <ErrorNote error={flows.error ?? plugins.error ?? docsError} />
      <fieldset>
        <legend>{t('publish.flows')}</legend>
        {flows.data && shippable.length === 0 ? <p>{t('publish.noFlows')}</p> : null}
        {shippable.map((flow) => (
          <label key={flow.name} className="inline">
            <input type="checkbox" name={`flow-${flow.name}`} checked={chosen.includes(flow.name)} onChange={(e) => choose(flow.name, e.target.checked)} />
            <code>{flow.name}</code> <span className="hint">{t('publish.flowVersion', { version: flow.latest_version })}</span>
          </label>
        ))}
        <p className="hint">{t('publish.flowsHint')}</p>
      </fieldset>
      <div className="market-fields">
        <label>
          {t('publish.name')}
          <input name="app-name" required className="market-mono" aria-describedby="app-name-hint" defaultValue={prefill?.name} />
          <span id="app-name-hint" className="hint">
            {t('publish.nameHint')}
          </span>
        </label>
        <label>
          {t('publish.version')}
          <input ref={versionField} name="app-version" required placeholder={prefill ? '' : '1.0.0'} className="market-mono" />
        </label>
        <label>
          {t('publish.appTitle')}
          <input name="app-title" required defaultValue={prefill?.title} />
        </label>
        <label>
          {t('publish.description')}
          <input name="app-description" defaultValue={prefill?.description} />
        </label>
        <label>
          {t('publish.categories')}
          <input name="app-categories" aria-describedby="app-categories-hint" defaultValue={prefill?.categories.join(', ')} />
          <span id="app-categories-hint" className="hint">
            {t('publish.categoriesHint')}
          </span>
        </label>
      </div>
      <label>
        {t('publish.changelog')}
        <textarea name="app-changelog" rows={3} />
      </label>
      <label>
        {t('publish.readme')}
        <textarea name="app-readme" rows={6} className="market-mono" defaultValue={prefill?.readme} />
      </label>
      <CapabilitiesEditor
        atoms={atoms}
        lists={lists}
        suggested={suggestion.atoms}
        unresolved={suggestion.unresolved}
        onAtoms={(next) => {
          setAtomsTouched(true);
          setAtoms(next);
        }}
        onLists={setLists}
        onUseSuggested={() => {
          setAtomsTouched(false);
          setAtoms(suggestion.atoms);
        }}
      />
      <ErrorNote error={error} />
      <ProblemList problems={problems} />
      <button type="submit" className="primary" disabled={busy || chosen.length === 0 || (!atomsTouched && !suggestionReady)}>
        {t('publish.submit')}
      </button>
      {done ? (
        <p role="status" className="market-ok">
          {done}
        </p>
      ) : null}
    </form>
  );
}
