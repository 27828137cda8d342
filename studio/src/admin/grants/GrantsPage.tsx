import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiFailure, ok, type Schemas } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';
import { StringListEditor } from '../ui/StringListEditor';
import { useAction } from '../ui/useAction';
import { fromDraft, patternKind, problemsOf, sameGrants, toDraft, type GrantDraft } from './grantDoc';
import { PluginRowsEditor } from './PluginRowsEditor';

/**
 * The tenant's grants: the http allow-list, the secrets each plugin may
 * read, the hosts flows may touch, the notification channels each plugin may
 * send to. Everyone who reads sees them; those who manage grants edit them
 * as lists (offered the secret and channel names that exist) and save the
 * whole document.
 */
export function GrantsPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const editable = tenant.may('manage_grants');
  const grants = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/grants', { params: { path: { tenant: tenant.name } } })),
    [tenant.name],
  );
  // Only to offer names while typing: the grants page works without them.
  const secretNames = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/secrets', { params: { path: { tenant: tenant.name } } })).then((a) => a.secrets.map((s) => s.name)),
    [tenant.name],
  );
  const channelNames = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/channels', { params: { path: { tenant: tenant.name } } })).then((a) => a.channels.map((c) => c.name)),
    [tenant.name],
  );
  const [draft, setDraft] = useState<GrantDraft>(toDraft(null));
  const [saved, setSaved] = useState(false);
  const action = useAction();
  useEffect(() => {
    if (grants.data) setDraft(toDraft(grants.data));
  }, [grants.data]);
  const changed = grants.data ? !sameGrants(fromDraft(draft), fromDraft(toDraft(grants.data))) : false;
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const answer = await action.run(() =>
      ok(
        api.PUT('/api/v1/tenants/{tenant}/grants', {
          params: { path: { tenant: tenant.name } },
          // `hosts` may be per plugin on servers newer than the generated types.
          body: fromDraft(draft) as Schemas['Grants'],
        }),
      ),
    );
    if (answer) {
      grants.setData(answer);
      setSaved(true);
    }
  };
  const describe = (pattern: string) => t(`grants.kinds.${patternKind(pattern)}`);
  const describeChannel = (name: string) =>
    channelNames.data && !channelNames.data.includes(name.trim()) ? t('grants.noSuchChannel') : null;
  const problems = action.error instanceof ApiFailure ? problemsOf(action.error.details) : [];
  return (
    <section aria-labelledby="grants-title">
      <h2 id="grants-title">{t('grants.title')}</h2>
      {editable ? null : <p className="hint">{t('grants.readOnly')}</p>}
      <ErrorNote error={grants.error} />
      {grants.data ? (
        <form onSubmit={(e) => void save(e)} onChange={() => setSaved(false)}>
          <fieldset className="admin-fieldset card">
            <legend>{t('grants.http')}</legend>
            <p className="hint">{t('grants.httpHint')}</p>
            <StringListEditor
              label={t('grants.http')}
              items={draft.http}
              readOnly={!editable}
              placeholder="api.example.com"
              describe={describe}
              onChange={(http) => setDraft({ ...draft, http })}
            />
          </fieldset>
          <fieldset className="admin-fieldset card">
            <legend>{t('grants.secrets')}</legend>
            <p className="hint">{t('grants.secretsHint')}</p>
            <PluginRowsEditor
              rows={draft.secrets}
              readOnly={!editable}
              listLabel={(plugin) => t('grants.secretsOf', { plugin })}
              placeholder="API_KEY"
              suggestions={secretNames.data ?? undefined}
              onChange={(secrets) => setDraft({ ...draft, secrets })}
            />
          </fieldset>
          <fieldset className="admin-fieldset card">
            <legend>{t('grants.hosts')}</legend>
            {draft.hosts.perPlugin ? (
              <>
                <p className="hint">{t('grants.hostSelectorsHint')}</p>
                <PluginRowsEditor
                  rows={draft.hosts.rows}
                  readOnly={!editable}
                  listLabel={(plugin) => t('grants.hostsOf', { plugin })}
                  placeholder="zone=eu-1,role=game"
                  onChange={(rows) => setDraft({ ...draft, hosts: { perPlugin: true, rows } })}
                />
              </>
            ) : (
              <>
                <p className="hint">{t('grants.hostsHint')}</p>
                <StringListEditor
                  label={t('grants.hosts')}
                  items={draft.hosts.list}
                  readOnly={!editable}
                  placeholder="*.prod.example.com"
                  describe={describe}
                  onChange={(list) => setDraft({ ...draft, hosts: { perPlugin: false, list } })}
                />
              </>
            )}
          </fieldset>
          {draft.notify ? (
            <fieldset className="admin-fieldset card">
              <legend>{t('grants.notify')}</legend>
              <p className="hint">{t('grants.notifyHint')}</p>
              <PluginRowsEditor
                rows={draft.notify}
                readOnly={!editable}
                listLabel={(plugin) => t('grants.channelsOf', { plugin })}
                placeholder="ops-alerts"
                suggestions={channelNames.data ?? undefined}
                describe={describeChannel}
                onChange={(notify) => setDraft({ ...draft, notify })}
              />
            </fieldset>
          ) : null}
          <ErrorNote error={action.error} />
          {problems.length > 0 ? (
            <ul className="admin-problems" aria-label={t('grants.problems')}>
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          ) : null}
          {editable ? (
            <div className="row">
              <button type="submit" className="primary" disabled={action.busy || !changed}>
                {t('grants.save')}
              </button>
              <button type="button" disabled={!changed} onClick={() => grants.data && setDraft(toDraft(grants.data))}>
                {t('grants.discard')}
              </button>
              {saved && !changed ? (
                <span role="status" className="admin-ok">
                  {t('grants.saved')}
                </span>
              ) : null}
            </div>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}
