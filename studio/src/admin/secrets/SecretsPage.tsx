import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';
import { Time } from '../ui/Time';
import { SecretForm } from './SecretForm';

/** The tenant's secrets by name (values never come back from the server); set and delete. */
export function SecretsPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const editable = tenant.may('manage_grants');
  const secrets = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/secrets', { params: { path: { tenant: tenant.name } } })),
    [tenant.name],
  );
  const remove = async (name: string) => {
    await ok(api.DELETE('/api/v1/tenants/{tenant}/secrets/{secret}', { params: { path: { tenant: tenant.name, secret: name } } }));
    secrets.reload();
  };
  const list = secrets.data?.secrets ?? [];
  return (
    <section aria-labelledby="secrets-title">
      <h2 id="secrets-title">{t('secrets.title')}</h2>
      <p className="hint">{t('secrets.intro')}</p>
      {editable ? <SecretForm onSet={secrets.reload} /> : null}
      <h3>{t('secrets.list')}</h3>
      <ErrorNote error={secrets.error} />
      {secrets.data && list.length === 0 ? <p>{t('secrets.none')}</p> : null}
      {list.length > 0 ? (
        <table className="list" aria-label={t('secrets.list')}>
          <thead>
            <tr>
              <th scope="col">{t('secrets.name')}</th>
              <th scope="col">{t('secrets.updatedAt')}</th>
              <th scope="col">{t('secrets.updatedBy')}</th>
              {editable ? <th scope="col">{t('columns.actions')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {list.map((secret) => (
              <tr key={secret.name}>
                <td>
                  <code>{secret.name}</code>
                </td>
                <td>
                  <Time at={secret.updated_at} />
                </td>
                <td>{secret.updated_by}</td>
                {editable ? (
                  <td>
                    <ConfirmButton
                      className="danger"
                      label={t('secrets.delete')}
                      question={t('secrets.deleteQuestion', { name: secret.name })}
                      onConfirm={() => remove(secret.name)}
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
