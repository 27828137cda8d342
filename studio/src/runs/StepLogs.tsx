// What step calls logged: per call (node and attempt) its log lines and the
// atom calls it made.
import { useTranslation } from 'react-i18next';
import type { StepLog } from './runTypes';

export function StepLogs({ logs }: { logs: StepLog[] }) {
  const { t } = useTranslation('runs');
  if (logs.length === 0) return <p className="runs-muted">{t('logs.none')}</p>;
  return (
    <ol className="runs-logs">
      {logs.map((call) => (
        <li key={`${call.node}#${call.attempt}`}>
          <h4>{t('logs.call', { node: call.node, attempt: call.attempt })}</h4>
          {call.logs.length > 0 ? (
            <ul className="runs-log-lines">
              {call.logs.map((line, k) => (
                <li key={k} className={`runs-log-${line.level}`}>
                  <span className="runs-log-level">{line.level}</span> <span className="runs-log-source">{line.source}</span>{' '}
                  <span className="runs-log-message">{line.message}</span>
                </li>
              ))}
            </ul>
          ) : null}
          {call.atom_calls.length > 0 ? (
            <table className="list runs-atoms">
              <caption>{t('logs.atomCalls')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('logs.atom')}</th>
                  <th scope="col">{t('logs.request')}</th>
                  <th scope="col">{t('logs.outcome')}</th>
                </tr>
              </thead>
              <tbody>
                {call.atom_calls.map((atom, k) => (
                  <tr key={k}>
                    <td>{atom.atom}</td>
                    <td>
                      <code>{atom.request}</code>
                    </td>
                    <td>
                      <code>{atom.outcome}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
