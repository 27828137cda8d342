import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { useAction } from '../admin/ui/useAction';

/**
 * Supply (or replace) one secret an installed app asks for. The value field is
 * uncontrolled and cleared once the server took it: it is never held in React
 * state nor written back into the page.
 */
export function SupplySecret({ app, name, onSet }: { app: string; name: string; onSet: () => void }) {
  const { t } = useTranslation('market');
  const tenant = useTenant();
  const form = useRef<HTMLFormElement>(null);
  const [done, setDone] = useState(false);
  const action = useAction();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDone(false);
    const value = String(new FormData(event.currentTarget).get('value') ?? '');
    const answered = await action.run(async () => {
      await ok(
        api.PUT('/api/v1/tenants/{tenant}/installs/{app}/secrets/{secret}', {
          params: { path: { tenant: tenant.name, app, secret: name } },
          body: { value },
        }),
      );
      return true;
    });
    if (answered) {
      form.current?.reset();
      setDone(true);
      onSet();
    }
  };
  return (
    <form ref={form} className="row market-secret-form" onSubmit={(e) => void submit(e)} autoComplete="off">
      <label className="inline">
        {t('installed.secretValue', { name })}
        <input name="value" type="password" required autoComplete="new-password" />
      </label>
      <button type="submit" disabled={action.busy}>
        {t('installed.supply')}
      </button>
      <ErrorNote error={action.error} />
      {done ? (
        <span role="status" className="market-ok">
          {t('installed.supplied', { name })}
        </span>
      ) : null}
    </form>
  );
}
