// The selected node: its state, attempts and timings, input, output and
// error, items (foreach, batch), step logs, and the controls the caller may use.
import { useTranslation } from 'react-i18next';
import type { FlowNode } from '../editor/flowTypes';
import { logsOf, type LiveState, type ShownNode } from './liveState';
import { guessInput, type Scope } from './inputGuess';
import { ItemsProgress } from './ItemsProgress';
import { JsonView } from './JsonView';
import { NodeControls } from './NodeControls';
import { NodeLogs } from './NodeLogs';
import { StatusBadge } from './StatusBadge';
import { formatDuration, formatInstant } from './format';
import type { RunStatus, RunView, StepLog } from './runTypes';

/** The node's input as well as it is known: the API's, the operator's override, or computed from the mapping. */
type KnownInput = { value: unknown; guessed: false } | { value: unknown; guessed: true; complete: boolean };

function knownInput(node: ShownNode, flowNode: FlowNode | undefined, scope: Scope): KnownInput {
  if (node.input !== undefined) return { value: node.input, guessed: false };
  if (node.retryInput !== undefined) return { value: node.retryInput, guessed: false };
  // A foreach's body input is per item: the mapping is not one input.
  if (flowNode?.kind !== 'step' && flowNode?.kind !== 'subflow') return { value: undefined, guessed: false };
  if (flowNode.input === undefined) return { value: undefined, guessed: false };
  return { ...guessInput(flowNode.input, scope), guessed: true };
}

/** How many items a foreach or batch has, when that can be known. */
function itemTotal(node: ShownNode, flowNode: FlowNode, scope: Scope): number | null {
  if (Array.isArray(node.output)) return node.output.length;
  const listed = (node.output as { items?: unknown } | null)?.items;
  if (Array.isArray(listed)) return listed.length;
  const items = flowNode.items !== undefined ? guessInput(flowNode.items, scope).value : undefined;
  return Array.isArray(items) ? items.length : null;
}

export function NodePanel({
  runId,
  state,
  node,
  flowNode,
  runStatus,
  scope,
  onAnswer,
  onLogs,
}: {
  runId: string;
  state: LiveState;
  node: ShownNode;
  flowNode: FlowNode | undefined;
  runStatus: RunStatus | null;
  scope: Scope;
  onAnswer: (run: RunView, action: string) => void;
  onLogs: (entries: StepLog[]) => void;
}) {
  const { t, i18n } = useTranslation('runs');
  const input = knownInput(node, flowNode, scope);
  const duration = node.startedMs !== null && node.endedMs !== null ? node.endedMs - node.startedMs : null;
  const iterates = flowNode && (flowNode.kind === 'foreach' || flowNode.kind === 'batch');
  return (
    <section className="runs-node card" aria-labelledby="runs-node-title">
      <h2 id="runs-node-title">
        {flowNode?.title ? `${flowNode.title} (${node.id})` : node.id} <StatusBadge status={node.status} />
      </h2>
      <dl className="runs-facts">
        <dt>{t('node.kind')}</dt>
        <dd>{t(`kind.${node.kind}`, { defaultValue: node.kind })}</dd>
        {flowNode?.plugin ? (
          <>
            <dt>{t('node.plugin')}</dt>
            <dd>
              <code>{flowNode.plugin}</code>
            </dd>
          </>
        ) : null}
        <dt>{t('node.attemptsLabel')}</dt>
        <dd data-testid="node-attempts">{node.attempts}</dd>
        <dt>{t('node.started')}</dt>
        <dd>{formatInstant(node.startedMs, i18n.language)}</dd>
        <dt>{t('node.ended')}</dt>
        <dd>{formatInstant(node.endedMs, i18n.language)}</dd>
        <dt>{t('node.duration')}</dt>
        <dd>{formatDuration(duration)}</dd>
      </dl>
      <NodeControls
        key={`${node.id}:${node.status}:${node.attempts}`}
        runId={runId}
        node={node}
        runStatus={runStatus}
        retryInput={input.value}
        retryInputGuessed={input.guessed}
        onAnswer={onAnswer}
      />
      {input.value !== undefined ? (
        <>
          <JsonView label={t('node.input')} value={input.value} testId="node-input" />
          {input.guessed ? (
            <p className="hint">{input.complete ? t('node.inputGuessed') : t('node.inputPartlyGuessed')}</p>
          ) : null}
        </>
      ) : null}
      <JsonView label={t('node.output')} value={node.output} testId="node-output" />
      <JsonView label={t('node.error')} value={node.error} testId="node-error" />
      {iterates && flowNode ? <ItemsProgress state={state} node={flowNode} total={itemTotal(node, flowNode, scope)} /> : null}
      <NodeLogs key={node.id} runId={runId} node={node.id} logs={logsOf(state, node.id)} onPage={onLogs} />
    </section>
  );
}
