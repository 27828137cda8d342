// Installing (or upgrading to) a version is consenting to exactly what it
// asks: the dialog lists what will be granted (new entries highlighted for
// an upgrade, with how the flows change), takes the secrets the app needs
// (password fields, never kept in React state), and installs only once the
// reader ticks "I grant these".
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiFailure, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { useLatestRequest } from '../ui/useLatestRequest';
import { CapabilityList } from './CapabilityList';
import { normalise, problemsOf, readUpgrade } from './capabilities';
import { ProblemList } from './ProblemList';
import { UpgradeChanges } from './UpgradeChanges';

type Consent = {
  app: string;
  publisher: string;
  version: string;
  capabilities: Record<string, string[]>;
  flows: string[];
  plugins: unknown[];
  secrets_to_supply: string[];
  upgrade?: unknown;
};

export function ConsentButton({
  app,
  version,
  label,
  className,
  onInstalled,
}: {
  app: string;
  /** The version to install; the newest not yanked when left out. */
  version?: string;
  label: string;
  className?: string;
  onInstalled: () => void;
}) {
  const { t } = useTranslation('market');
  const tenant = useTenant();
  const dialog = useRef<HTMLDialogElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const [consent, setConsent] = useState<Consent | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [granted, setGranted] = useState(false);
  const [busy, setBusy] = useState(false);
  // A consent answered late (the dialog reopened, or reloaded after a refusal) must not replace the one asked for now.
  const consentRequests = useLatestRequest();

  const load = async () => {
    const isLatest = consentRequests.begin();
    setConsent(null);
    // Ticking grants what was shown then: a list loaded again must be read and ticked again.
    setGranted(false);
    setLoadError(null);
    try {
      const answer = await ok(
        api.GET('/api/v1/tenants/{tenant}/installs/{app}/consent', {
          params: { path: { tenant: tenant.name, app }, query: version ? { version } : {} },
        }),
      );
      if (isLatest()) setConsent(answer as Consent);
    } catch (failure) {
      if (isLatest()) setLoadError(failure);
    }
  };

  const open = () => {
    setError(null);
    form.current?.reset();
    dialog.current?.showModal();
    void load();
  };

  const close = () => {
    form.current?.reset();
    dialog.current?.close();
  };

  const install = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!consent || !granted) return;
    const fields = new FormData(event.currentTarget);
    const secrets: Record<string, string> = {};
    for (const name of consent.secrets_to_supply) {
      const value = String(fields.get(`secret:${name}`) ?? '');
      if (value !== '') secrets[name] = value;
    }
    setBusy(true);
    setError(null);
    try {
      await ok(
        api.POST('/api/v1/tenants/{tenant}/installs', {
          params: { path: { tenant: tenant.name } },
          body: { app, version: consent.version, accept: consent.capabilities, secrets },
        }),
      );
      close();
      onInstalled();
    } catch (failure) {
      setError(failure);
      // What is asked changed meanwhile (a new version, say): show the list again.
      if (failure instanceof ApiFailure && failure.code === 'consent_required') void load();
    } finally {
      setBusy(false);
    }
  };

  const upgrade = readUpgrade(consent?.upgrade);
  const capabilities = normalise(consent?.capabilities);
  const title = consent
    ? upgrade
      ? t('consent.upgradeTitle', { app, from: upgrade.from, to: consent.version })
      : t('consent.installTitle', { app, version: consent.version })
    : t('consent.loadingTitle', { app });
  const failure = error instanceof ApiFailure ? error : null;
  return (
    <>
      <button type="button" className={className} onClick={open}>
        {label}
      </button>
      <dialog ref={dialog} className="confirm market-consent" aria-labelledby={`consent-title-${app}`}>
        <form ref={form} method="dialog" onSubmit={(e) => void install(e)} autoComplete="off">
          <h2 id={`consent-title-${app}`}>{title}</h2>
          <ErrorNote error={loadError} />
          {!consent && !loadError ? <p>{t('state.loading', { ns: 'common' })}</p> : null}
          {consent ? (
            <>
              <p>{t('consent.intro', { publisher: consent.publisher })}</p>
              {upgrade ? (
                <p className={upgrade.needs_consent ? 'market-warn' : 'hint'} role="note">
                  {upgrade.needs_consent ? t('consent.asksMore', { from: upgrade.from }) : t('consent.asksNothingNew')}
                </p>
              ) : null}
              <CapabilityList capabilities={capabilities} diff={upgrade?.capabilities} testId="consent-capabilities" />
              <h3>{t('consent.flows')}</h3>
              {upgrade ? (
                <UpgradeChanges flows={upgrade.flows} />
              ) : (
                <ul data-testid="consent-flows">
                  {consent.flows.map((flow) => (
                    <li key={flow}>
                      <code>{flow}</code>
                    </li>
                  ))}
                </ul>
              )}
              <p className="hint">{t('consent.readOnly')}</p>
              {consent.plugins.length > 0 ? (
                <>
                  <h3>{t('consent.plugins')}</h3>
                  <ul>
                    {consent.plugins.map((plugin, k) => {
                      const p = plugin as { id?: string; sha256?: string };
                      return (
                        <li key={p.id ?? k}>
                          <code>{p.id}</code> <span className="hint market-mono">sha256 {p.sha256?.slice(0, 16)}…</span>
                        </li>
                      );
                    })}
                  </ul>
                </>
              ) : null}
              {consent.secrets_to_supply.length > 0 ? (
                <fieldset className="market-secrets">
                  <legend>{t('consent.secrets')}</legend>
                  <p className="hint">{t('consent.secretsHint')}</p>
                  {consent.secrets_to_supply.map((name) => (
                    <label key={name}>
                      <code>{name}</code>
                      <input name={`secret:${name}`} type="password" autoComplete="new-password" />
                    </label>
                  ))}
                </fieldset>
              ) : null}
              <label className="inline market-grant">
                <input type="checkbox" checked={granted} onChange={(e) => setGranted(e.target.checked)} />
                {t('consent.grant', { app })}
              </label>
            </>
          ) : null}
          <ErrorNote error={error} />
          {failure ? <ProblemList problems={problemsOf(failure.details)} /> : null}
          <div className="row end">
            <button type="button" onClick={close}>
              {t('actions.cancel', { ns: 'common' })}
            </button>
            <button type="submit" className="primary" disabled={!consent || !granted || busy}>
              {upgrade ? t('consent.upgrade') : t('consent.install')}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
