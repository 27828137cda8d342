// A node's step logs: those the stream brought, plus the pages of
// `GET …/runs/{id}/logs?node=` (older calls, or calls logged before the
// stream was opened), merged without duplicates.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { StepLogs } from './StepLogs';
import type { StepLog } from './runTypes';

const PAGE = 50;

export function NodeLogs({
  runId,
  node,
  logs,
  onPage,
}: {
  runId: string;
  node: string;
  logs: StepLog[];
  onPage: (entries: StepLog[]) => void;
}) {
  const { t } = useTranslation('runs');
  const tenant = useTenant();
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (after: number | null) => {
      setLoading(true);
      setError(null);
      try {
        const page = await ok(
          api.GET('/api/v1/tenants/{tenant}/runs/{id}/logs', {
            params: { path: { tenant: tenant.name, id: runId }, query: { node, after: after ?? undefined, limit: PAGE } },
          }),
        );
        onPage(page.entries as StepLog[]);
        setNext(page.next ?? null);
      } catch (failure) {
        setError(failure);
      } finally {
        setLoading(false);
      }
    },
    [tenant.name, runId, node, onPage],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <section className="runs-node-logs" aria-label={t('logs.title')}>
      <h3>{t('logs.title')}</h3>
      <ErrorNote error={error} />
      <StepLogs logs={logs} />
      {next !== null ? (
        <button type="button" disabled={loading} onClick={() => void load(next)}>
          {t('logs.more')}
        </button>
      ) : null}
    </section>
  );
}
