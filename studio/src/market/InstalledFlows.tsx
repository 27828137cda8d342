import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';

/** The flows an install brought (`APP/FLOW`, read-only): open or run each. */
export function InstalledFlows({ tenant, install }: { tenant: string; install: { app: string; flows: string[] } }) {
  const { t } = useTranslation('market');
  if (install.flows.length === 0) return null;
  return (
    <div>
      <h3>{t('installed.flows')}</h3>
      <ul className="market-installed-flows" aria-label={t('installed.flowsOf', { app: install.app })}>
        {install.flows.map((flow) => {
          const at = `/t/${tenant}/flows/${encodeURIComponent(flow)}`;
          return (
            <li key={flow}>
              <Link to={at}>
                <code>{flow}</code>
              </Link>{' '}
              · <Link to={`${at}/run`} aria-label={t('installed.runFlow', { flow })}>{t('installed.run')}</Link>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
