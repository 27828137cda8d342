import { useTranslation } from 'react-i18next';
import type { operations } from '../../api/schema';
import { Revocation } from '../ui/Revocation';
import { Time } from '../ui/Time';

export type AgentRow =
  operations['GET /api/v1/tenants/{tenant}/agents']['responses']['200']['content']['application/json']['agents'][number];

/** The tenant's agents: connected or not, each a host of the inventory; revoking one cuts it off at once. */
export function AgentsTable({
  agents,
  canRevoke,
  onRevoke,
}: {
  agents: AgentRow[];
  canRevoke: boolean;
  onRevoke: (id: string) => Promise<void>;
}) {
  const { t } = useTranslation('admin');
  if (agents.length === 0) return <p>{t('agents.none')}</p>;
  return (
    <table className="list" aria-label={t('agents.list')}>
      <thead>
        <tr>
          <th scope="col">{t('agents.id')}</th>
          <th scope="col">{t('agents.state')}</th>
          <th scope="col">{t('agents.enrolledAt')}</th>
          <th scope="col">{t('columns.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {agents.map((agent) => (
          <tr key={agent.id}>
            <td className="admin-mono">{agent.id}</td>
            <td>
              <span className={agent.connected ? 'admin-status-ok' : undefined}>
                {agent.connected ? t('agents.connected') : t('agents.disconnected')}
              </span>
            </td>
            <td>
              <Time at={agent.enrolled_at} />
            </td>
            <td>
              <Revocation
                revokedAt={agent.revoked_at}
                canRevoke={canRevoke}
                question={t('agents.revokeQuestion', { id: agent.id })}
                onRevoke={() => onRevoke(agent.id)}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
