// A step's settings: its plugin, the input form from the plugin's input
// schema, retry, timeout and what a failure does.
import { useTranslation } from 'react-i18next';
import type { FlowNode, OnError } from './flowTypes';
import { InputForm } from './InputForm';
import { RetrySettings } from './RetrySettings';
import { NumberField, SelectField, TextField } from './fields';
import type { ScopeEntry } from './scope';

export type NodeUpdate = (update: (node: Omit<FlowNode, 'ui'>) => Omit<FlowNode, 'ui'>, key?: string) => void;

/** A copy of `node` with `patch` applied and the fields set to undefined removed. */
export function patched(node: Omit<FlowNode, 'ui'>, patch: Partial<FlowNode>): Omit<FlowNode, 'ui'> {
  const next: Record<string, unknown> = { ...node, ...patch };
  for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
  return next as Omit<FlowNode, 'ui'>;
}

export function OnErrorField({ value, onChange, readOnly }: { value: OnError | undefined; onChange: (v: OnError) => void; readOnly: boolean }) {
  const { t } = useTranslation('editor');
  return (
    <SelectField
      label={t('step.onError')}
      value={value ?? 'fail'}
      disabled={readOnly}
      options={(['fail', 'continue', 'route'] as const).map((v) => ({ value: v, label: t(`step.onErrorValue.${v}`) }))}
      onChange={onChange}
    />
  );
}

export function StepSettings({
  node,
  update,
  inputSchema,
  scope,
  readOnly,
}: {
  node: Omit<FlowNode, 'ui'>;
  update: NodeUpdate;
  inputSchema: unknown;
  scope: ScopeEntry;
  readOnly: boolean;
}) {
  const { t } = useTranslation('editor');
  return (
    <>
      <TextField label={t('step.plugin')} value={node.plugin ?? ''} readOnly={readOnly} onChange={(v) => update((n) => patched(n, { plugin: v }), 'plugin')} />
      <fieldset>
        <legend>{t('step.input')}</legend>
        {inputSchema === undefined && <p className="hint">{t('step.schemaLoading')}</p>}
        <InputForm
          key={node.id}
          schema={inputSchema ?? true}
          value={node.input}
          scope={scope}
          readOnly={readOnly}
          idPrefix={`in-${node.id}`}
          onChange={(input) => update((n) => patched(n, { input }), 'input')}
        />
      </fieldset>
      <RetrySettings retry={node.retry} readOnly={readOnly} onChange={(retry) => update((n) => patched(n, { retry }), 'retry')} />
      <NumberField
        label={t('step.timeoutMs')}
        min={1}
        value={node.timeout_ms}
        readOnly={readOnly}
        onChange={(timeout_ms) => update((n) => patched(n, { timeout_ms }), 'timeout')}
      />
      <OnErrorField value={node.on_error} readOnly={readOnly} onChange={(on_error) => update((n) => patched(n, { on_error }))} />
    </>
  );
}
