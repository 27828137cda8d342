// The controls on one node — approve or reject with a comment, retry with an
// edited input, skip with an output, force-fail — offered when the caller's
// role allows them and the node's state admits them (as the engine's
// `check_control` decides); each asks first and the API has the last word.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiFailure } from '../api/client';
import { useTenant } from '../session/session';
import { ConfirmButton } from '../ui/ConfirmButton';
import { JsonEditor, parseJson } from './JsonEditor';
import { TextField } from './TextField';
import { controlNode, type NodeAction } from './controlsApi';
import type { ShownNode } from './liveState';
import { pretty } from './format';
import { isFinal, type RunStatus, type RunView } from './runTypes';

const RETRYABLE = ['step', 'subflow'];
const SKIPPABLE = ['step', 'subflow', 'approval', 'wait'];

/** Which node actions the run and node admit (the role is asked separately). */
export function admittedActions(node: ShownNode, runStatus: RunStatus | null): NodeAction[] {
  const actions: NodeAction[] = [];
  const cancelled = runStatus === 'cancelled';
  const over = runStatus !== null && isFinal(runStatus);
  if (node.status === 'awaiting_decision' && !over) actions.push('approve', 'reject');
  if (node.status === 'failed' && RETRYABLE.includes(node.kind) && !cancelled) actions.push('retry');
  if (['failed', 'awaiting_decision', 'waiting'].includes(node.status) && SKIPPABLE.includes(node.kind) && !cancelled) {
    actions.push('skip');
  }
  if (['running', 'waiting', 'awaiting_decision'].includes(node.status) && !over) actions.push('force-fail');
  return actions;
}

function JsonField({ label, hint, text, onChange }: { label: string; hint: string; text: string; onChange: (t: string) => void }) {
  const hintId = useId();
  const parsed = parseJson(text);
  const { t } = useTranslation('runs');
  return (
    <div className="runs-field">
      <span className="runs-field-label">{label}</span>
      <JsonEditor label={label} value={text} onChange={onChange} describedBy={hintId} />
      <span id={hintId} className="hint">
        {hint}
      </span>
      {!parsed.ok ? (
        <span className="runs-json-problem" role="alert">
          {t('controls.badJson', { message: parsed.message })}
        </span>
      ) : null}
    </div>
  );
}

export function NodeControls({
  runId,
  node,
  runStatus,
  retryInput,
  retryInputGuessed,
  onAnswer,
}: {
  runId: string;
  node: ShownNode;
  runStatus: RunStatus | null;
  /** What to prefill the retry's input with: the node's last input as well as it is known. */
  retryInput: unknown;
  retryInputGuessed: boolean;
  onAnswer: (run: RunView, action: string) => void;
}) {
  const { t } = useTranslation('runs');
  const tenant = useTenant();
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [inputText, setInputText] = useState(() => pretty(retryInput ?? {}));
  const [outputText, setOutputText] = useState(() => pretty(node.kind === 'approval' ? { approved: true } : {}));
  const allowed = admittedActions(node, runStatus).filter((action) =>
    action === 'approve' || action === 'reject' ? tenant.may('approve') : tenant.may('operate'),
  );
  if (allowed.length === 0) return null;

  const json = (text: string) => {
    const parsed = parseJson(text);
    // Shown in the dialog like the API's refusals.
    if (!parsed.ok) throw new ApiFailure(400, t('controls.badJson', { message: parsed.message }), 'client', null);
    return parsed.value;
  };
  const act = async (action: NodeAction) => {
    const body =
      action === 'approve' || action === 'reject'
        ? { comment }
        : action === 'retry'
          ? { input: json(inputText) }
          : action === 'skip'
            ? { output: json(outputText) }
            : { reason };
    const run = await controlNode(tenant.name, runId, node.id, action, body);
    setComment('');
    setReason('');
    onAnswer(run, action);
  };
  const fields: Record<NodeAction, React.ReactNode> = {
    approve: <TextField label={t('controls.comment')} value={comment} onChange={setComment} />,
    reject: <TextField label={t('controls.comment')} value={comment} onChange={setComment} />,
    retry: (
      <JsonField
        label={t('controls.retryInput')}
        hint={retryInputGuessed ? t('controls.retryInputGuessed') : t('controls.retryInputHint')}
        text={inputText}
        onChange={setInputText}
      />
    ),
    skip: <JsonField label={t('controls.skipOutput')} hint={t('controls.skipOutputHint')} text={outputText} onChange={setOutputText} />,
    'force-fail': <TextField label={t('controls.reason')} value={reason} onChange={setReason} />,
  };
  return (
    <div className="row runs-controls" role="group" aria-label={t('controls.node', { node: node.id })}>
      {allowed.map((action) => (
        <ConfirmButton
          key={action}
          label={t(`controls.${action}`)}
          question={t(`controls.${action}Question`, { node: node.id })}
          className={action === 'approve' ? 'primary' : action === 'reject' || action === 'force-fail' ? 'danger' : undefined}
          onConfirm={() => act(action)}
        >
          {fields[action]}
        </ConfirmButton>
      ))}
    </div>
  );
}
