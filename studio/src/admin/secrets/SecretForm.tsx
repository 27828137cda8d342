import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useAction } from '../ui/useAction';

/**
 * Set a secret. The value field is uncontrolled and cleared once the server
 * took it: React never holds it in state, so it is not written back into the
 * page (a controlled input would mirror it into its `value` attribute).
 */
export function SecretForm({ onSet }: { onSet: (name: string) => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const form = useRef<HTMLFormElement>(null);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDone(null);
    const fields = new FormData(event.currentTarget);
    const name = String(fields.get('secret-name') ?? '').trim();
    const value = String(fields.get('secret-value') ?? '');
    const answered = await action.run(async () => {
      await ok(
        api.PUT('/api/v1/tenants/{tenant}/secrets/{secret}', {
          params: { path: { tenant: tenant.name, secret: name } },
          body: { value },
        }),
      );
      return true;
    });
    if (answered) {
      form.current?.reset();
      setDone(name);
      onSet(name);
    }
  };
  return (
    <form ref={form} className="card admin-form" onSubmit={(e) => void submit(e)} autoComplete="off">
      <h3>{t('secrets.setTitle')}</h3>
      <label>
        {t('secrets.name')}
        <input name="secret-name" required className="admin-mono" aria-describedby="secret-name-hint" />
      </label>
      <p id="secret-name-hint" className="hint">
        {t('secrets.nameHint')}
      </p>
      <label>
        {t('secrets.value')}
        <input name="secret-value" type="password" required autoComplete="new-password" />
      </label>
      <p className="hint">{t('secrets.valueHint')}</p>
      <ErrorNote error={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        {t('secrets.set')}
      </button>
      {done ? (
        <p role="status" className="admin-ok">
          {t('secrets.setDone', { name: done })}
        </p>
      ) : null}
    </form>
  );
}
