import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';
import { AgentsTable } from './AgentsTable';
import { EnrolmentForm } from './EnrolmentForm';
import { EnrolmentsTable } from './EnrolmentsTable';

/**
 * Agents: the `scena agent` processes serving the tenant's hosts, connected
 * or not; the enrolment tokens hosts join with (made, shown once with the
 * command to run, revoked). Changing either needs `manage_hosts`.
 */
export function AgentsPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const manage = tenant.may('manage_hosts');
  const path = { params: { path: { tenant: tenant.name } } };
  const agents = useLoad(() => ok(api.GET('/api/v1/tenants/{tenant}/agents', path)), [tenant.name]);
  const enrolments = useLoad(
    () => (manage ? ok(api.GET('/api/v1/tenants/{tenant}/agents/enrolments', path)) : Promise.resolve(null)),
    [tenant.name, manage],
  );
  const revokeAgent = async (agent: string) => {
    await ok(
      api.DELETE('/api/v1/tenants/{tenant}/agents/{agent}', { params: { path: { tenant: tenant.name, agent } } }),
    );
    agents.reload();
  };
  const revokeEnrolment = async (id: string) => {
    await ok(
      api.DELETE('/api/v1/tenants/{tenant}/agents/enrolments/{id}', { params: { path: { tenant: tenant.name, id } } }),
    );
    enrolments.reload();
  };
  return (
    <section aria-labelledby="agents-title">
      <h2 id="agents-title">{t('agents.title')}</h2>
      <p className="hint">{t('agents.hint')}</p>
      {manage ? <EnrolmentForm onCreated={enrolments.reload} /> : null}
      <div className="row admin-toolbar">
        <h3>{t('agents.list')}</h3>
        <span className="spacer" />
        <button type="button" onClick={agents.reload}>
          {t('agents.refresh')}
        </button>
      </div>
      <ErrorNote error={agents.error} />
      {agents.data ? <AgentsTable agents={agents.data.agents} canRevoke={manage} onRevoke={revokeAgent} /> : null}
      {manage ? (
        <>
          <h3>{t('agents.enrolments')}</h3>
          <ErrorNote error={enrolments.error} />
          {enrolments.data ? (
            <EnrolmentsTable enrolments={enrolments.data.enrolments} canRevoke={manage} onRevoke={revokeEnrolment} />
          ) : null}
        </>
      ) : null}
    </section>
  );
}
