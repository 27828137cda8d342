import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { newFlowDocument } from '../editor/newFlow';
import { appOfFlow } from '../market/installedFlow';

const NAME = /^[a-z][a-z0-9\-]{0,62}$/;

export function FlowsPage() {
  const { t } = useTranslation();
  const tenant = useTenant();
  const navigate = useNavigate();
  const flows = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/flows', { params: { path: { tenant: tenant.name } } })),
    [tenant.name],
  );
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await ok(
        api.PUT('/api/v1/tenants/{tenant}/flows/{name}/draft', {
          params: { path: { tenant: tenant.name, name } },
          body: newFlowDocument(name) as never,
        }),
      );
      navigate(`/t/${tenant.name}/flows/${name}`);
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section>
      <h1>{t('flows.title')}</h1>
      {tenant.may('edit') ? (
        <form className="row" onSubmit={(e) => void create(e)}>
          <label className="inline">
            {t('flows.newName')}
            <input
              name="new-flow"
              value={name}
              pattern={NAME.source}
              title={t('flows.nameRule')}
              required
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <button type="submit" className="primary">
            {t('flows.new')}
          </button>
        </form>
      ) : null}
      <ErrorNote error={error ?? flows.error} />
      {flows.loading && !flows.data ? <p>{t('state.loading')}</p> : null}
      {flows.data && flows.data.flows.length === 0 ? <p>{t('state.empty')}</p> : null}
      {flows.data && flows.data.flows.length > 0 ? (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('flows.name')}</th>
              <th scope="col">{t('flows.latest')}</th>
            </tr>
          </thead>
          <tbody>
            {flows.data.flows.map((flow) => {
              // An installed app's flow (`APP/FLOW`) is read-only: marked, with a link to its app.
              const app = appOfFlow(flow.name);
              return (
                <tr key={flow.name} data-installed={app ? 'true' : undefined}>
                  <td>
                    <Link to={`/t/${tenant.name}/flows/${encodeURIComponent(flow.name)}`}>{flow.name}</Link>
                    {app ? (
                      <>
                        {' '}
                        <Link className="hint" to={`/t/${tenant.name}/market/apps/${encodeURIComponent(app)}`}>
                          {t('flow.installedFrom', { ns: 'market', app })}
                        </Link>
                      </>
                    ) : null}
                  </td>
                  <td>{flow.latest_version ?? t('flows.draftOnly')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
