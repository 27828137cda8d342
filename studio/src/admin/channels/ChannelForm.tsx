import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useAction } from '../ui/useAction';
import {
  channelBody,
  portProblem,
  SECURITIES,
  WEBHOOK_FORMATS,
  type ChannelFields,
  type ChannelKind,
  type ChannelPreset,
} from './channelBody';

const FIELDS = ['url', 'format', 'host', 'port', 'security', 'username', 'password', 'from'] as const;

/**
 * Add or replace a channel. Every field is uncontrolled and read from the
 * form when it is sent: the webhook URL (often carrying the robot's key) and
 * the mail password are never held in React state, and once the server took
 * them the page replaces the form with an empty one — they are not shown again.
 */
export function ChannelForm({ preset, onSet }: { preset: ChannelPreset | null; onSet: (name: string) => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [kind, setKind] = useState<ChannelKind>(preset?.kind ?? 'webhook');
  const [badPort, setBadPort] = useState(false);
  const action = useAction();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const fields: ChannelFields = {};
    for (const field of FIELDS) {
      const value = data.get(`channel-${field}`);
      if (typeof value === 'string') fields[field] = value;
    }
    const name = String(data.get('channel-name') ?? '').trim();
    if (kind === 'email' && portProblem(fields.port)) {
      setBadPort(true);
      return;
    }
    setBadPort(false);
    const answered = await action.run(async () => {
      await ok(
        api.PUT('/api/v1/tenants/{tenant}/channels/{channel}', {
          params: { path: { tenant: tenant.name, channel: name } },
          body: channelBody(kind, fields),
        }),
      );
      return true;
    });
    // The page then mounts a fresh, empty form: nothing typed stays in the page.
    if (answered) onSet(name);
  };
  const title = preset ? t('channels.replaceTitle', { name: preset.name }) : t('channels.addTitle');
  return (
    <form className="card admin-form" aria-label={title} autoComplete="off" onSubmit={(e) => void submit(e)}>
      <h3>{title}</h3>
      <label>
        {t('channels.name')}
        <input
          name="channel-name"
          required
          defaultValue={preset?.name}
          className="admin-mono"
          aria-describedby="channel-name-hint"
          pattern="[a-z][a-z0-9_\-]{0,62}"
        />
      </label>
      <p id="channel-name-hint" className="hint">
        {t('channels.nameHint')}
      </p>
      <fieldset className="admin-fieldset">
        <legend>{t('channels.kind')}</legend>
        <div className="row">
          {(['webhook', 'email'] as const).map((option) => (
            <label key={option} className="inline">
              <input type="radio" name="channel-kind" value={option} checked={kind === option} onChange={() => setKind(option)} />
              {t(`channels.kinds.${option}`)}
            </label>
          ))}
        </div>
      </fieldset>
      {kind === 'webhook' ? (
        <>
          <label>
            {t('channels.url')}
            <input
              name="channel-url"
              type="url"
              required
              autoFocus={preset !== null}
              spellCheck={false} className="admin-mono" aria-describedby="channel-url-hint" />
          </label>
          <p id="channel-url-hint" className="hint">
            {preset ? t('channels.urlAgain') : t('channels.urlHint')}
          </p>
          <label>
            {t('channels.format')}
            <select name="channel-format" defaultValue={preset?.format ?? 'json'}>
              {WEBHOOK_FORMATS.map((format) => (
                <option key={format} value={format}>
                  {t(`channels.formats.${format}`)}
                </option>
              ))}
            </select>
          </label>
        </>
      ) : (
        <>
          <div className="row">
            <label className="admin-grow">
              {t('channels.host')}
              <input name="channel-host" required autoFocus={preset !== null} defaultValue={preset?.host} className="admin-mono" />
            </label>
            <label>
              {t('channels.port')}
              <input
                name="channel-port"
                inputMode="numeric"
                defaultValue={preset?.port}
                className="admin-mono"
                aria-invalid={badPort}
                aria-describedby="channel-port-hint"
              />
            </label>
            <label>
              {t('channels.security')}
              <select name="channel-security" defaultValue="tls">
                {SECURITIES.map((security) => (
                  <option key={security} value={security}>
                    {t(`channels.securities.${security}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <p id="channel-port-hint" className={badPort ? 'error-note' : 'hint'} role={badPort ? 'alert' : undefined}>
            {badPort ? t('channels.badPort') : t('channels.portHint')}
          </p>
          <label>
            {t('channels.from')}
            {/* Text, not type=email: a display name (`Ops <ops@example.com>`) is a valid sender too. */}
            <input
              name="channel-from"
              inputMode="email"
              required
              defaultValue={preset?.from}
              placeholder="Ops <ops@example.com>"
              spellCheck={false}
            />
          </label>
          <div className="row">
            <label className="admin-grow">
              {t('channels.username')}
              <input name="channel-username" autoComplete="off" />
            </label>
            <label className="admin-grow">
              {t('channels.password')}
              <input name="channel-password" type="password" autoComplete="new-password" />
            </label>
          </div>
          <p className="hint">{preset ? t('channels.passwordAgain') : t('channels.passwordHint')}</p>
        </>
      )}
      <ErrorNote error={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        {preset ? t('channels.replace') : t('channels.add')}
      </button>
    </form>
  );
}
