// The live run view: the run's flow version on a canvas with each node
// coloured by its state as events arrive, a timeline of node durations, the
// selected node's details and logs, and the controls the caller's role allows.
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import type { FlowDocument } from '../editor/flowTypes';
import { planInfo, shownNode, shownRunStatus } from './liveState';
import { asRunView, useRunStream } from './useRunStream';
import { RunCanvas } from './RunCanvas';
import { RunTimeline } from './RunTimeline';
import { RunControls } from './RunControls';
import { NodePanel } from './NodePanel';
import { StatusBadge } from './StatusBadge';
import { JsonView } from './JsonView';
import { formatInstant } from './format';
import { useNow } from './useNow';
import { isFinal, type NodeStatus, type RunView as RunAnswer } from './runTypes';
import type { Scope } from './inputGuess';
import './runs.css';

export default function RunPage() {
  const { id = '' } = useParams();
  // Everything the view holds belongs to one run.
  return <RunView key={id} id={id} />;
}

function RunView({ id }: { id: string }) {
  const { t, i18n } = useTranslation('runs');
  const tenant = useTenant();
  const first = useLoad(
    async () => asRunView(await ok(api.GET('/api/v1/tenants/{tenant}/runs/{id}', { params: { path: { tenant: tenant.name, id } } }))),
    [tenant.name, id],
  );
  const flowName = first.data?.flow ?? null;
  const version = first.data?.version ?? null;
  const published = useLoad(
    async () =>
      flowName === null || version === null
        ? null
        : ok(
            api.GET('/api/v1/tenants/{tenant}/flows/{name}/versions/{version}', {
              params: { path: { tenant: tenant.name, name: flowName, version: String(version) } },
            }),
          ),
    [tenant.name, flowName, version],
  );
  const flow = (published.data?.flow ?? null) as FlowDocument | null;
  const plan = useMemo(() => (flow ? planInfo(flow) : null), [flow]);
  const live = useRunStream(tenant.name, id, plan, plan ? first.data : null);
  const state = live.state;
  const [selected, setSelected] = useState<string | null>(null);
  const [answer, setAnswer] = useState<string | null>(null);

  const onAnswer = useCallback(
    (run: RunAnswer, action: string) => {
      live.adopt(run);
      setAnswer(t('controls.answer', { action: t(`controls.${action}`), status: t(`status.${run.status}`) }));
    },
    [live, t],
  );

  const nodeIds = useMemo(() => flow?.nodes.map((n) => n.id) ?? [], [flow]);
  const shown = useMemo(() => (state ? nodeIds.map((nodeId) => shownNode(state, nodeId)) : []), [state, nodeIds]);
  const statuses = useMemo(() => {
    const map: Record<string, NodeStatus> = {};
    for (const node of shown) map[node.id] = node.status;
    return map;
  }, [shown]);
  const runStatus = state ? shownRunStatus(state) : null;
  const run = state?.snapshot ?? first.data;
  const scope: Scope = useMemo(
    () => ({
      inputs: run?.input ?? {},
      steps: Object.fromEntries(shown.map((node) => [node.id, { output: node.output, error: node.error }])),
    }),
    [run?.input, shown],
  );
  const now = useNow(runStatus !== null && !isFinal(runStatus));
  const selectedNode = selected ? shown.find((node) => node.id === selected) : undefined;

  return (
    <section className="runs-page runs-view">
      <header className="runs-view-header">
        <div className="row">
          <h1>
            {t('view.title')} <code>{id}</code>
          </h1>
          {runStatus ? <StatusBadge status={runStatus} /> : null}
          {/* data-last-seq: the id of the last event applied, for tests and the benchmark to compare with the run's log. */}
          <span className="runs-muted" role="status" aria-live="polite" data-testid="stream-status" data-last-seq={state?.lastSeq ?? -1}>
            {t(`stream.${live.stream}`)}
          </span>
          <span className="spacer" />
          {runStatus ? <RunControls runId={id} status={runStatus} onAnswer={onAnswer} /> : null}
        </div>
        {run ? (
          <p className="runs-muted">
            {t('view.of')}{' '}
            <Link to={`/t/${tenant.name}/flows/${encodeURIComponent(run.flow)}`}>{run.flow}</Link>{' '}
            {t('view.version', { version: run.version ?? '–' })} · {t('view.started', { at: formatInstant(run.started_at, i18n.language) })} ·{' '}
            <Link to={`/t/${tenant.name}/runs?flow=${encodeURIComponent(run.flow)}`}>{t('view.otherRuns')}</Link>
          </p>
        ) : null}
        {answer ? (
          <p className="runs-answer" role="status" data-testid="control-answer">
            {answer}
          </p>
        ) : null}
        {run?.error ? (
          <p className="error-note" data-testid="run-error">
            {run.error}
          </p>
        ) : null}
      </header>
      <ErrorNote error={first.error ?? published.error} />
      {first.loading && !first.data ? <p>{t('state.loading', { ns: 'common' })}</p> : null}
      {flow && state ? (
        <div className="runs-view-body">
          <div className="runs-view-main">
            <RunCanvas flow={flow} statuses={statuses} selected={selected} onSelect={setSelected} />
            <RunTimeline
              nodes={shown}
              runStartedMs={run?.started_at ? Date.parse(run.started_at) : null}
              now={now}
              selected={selected}
              onSelect={setSelected}
            />
          </div>
          <aside className="runs-view-side" aria-label={t('view.details')}>
            {selectedNode ? (
              <NodePanel
                runId={id}
                state={state}
                node={selectedNode}
                flowNode={flow.nodes.find((n) => n.id === selectedNode.id)}
                runStatus={runStatus}
                scope={scope}
                onAnswer={onAnswer}
                onLogs={live.mergeLogs}
              />
            ) : (
              <div className="card">
                <p className="runs-muted">{t('view.pick')}</p>
                <JsonView label={t('view.input')} value={run?.input} />
                {runStatus && isFinal(runStatus) ? <JsonView label={t('view.output')} value={run?.output} testId="run-output" /> : null}
              </div>
            )}
          </aside>
        </div>
      ) : null}
    </section>
  );
}
