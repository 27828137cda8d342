// The settings of the kinds other than step: approval, wait, foreach, batch,
// subflow, end (switch routes are edges: see RoutesEditor).
import { useTranslation } from 'react-i18next';
import type { Body, CountOrPercent, FlowNode } from './flowTypes';
import { ExpressionEditor } from './ExpressionEditor';
import { InputForm, isExpression } from './InputForm';
import { RetrySettings } from './RetrySettings';
import { CheckField, NumberField, SelectField, TextField } from './fields';
import { OnErrorField, patched, type NodeUpdate } from './StepSettings';
import type { ScopeEntry } from './scope';

interface KindProps {
  node: Omit<FlowNode, 'ui'>;
  update: NodeUpdate;
  scope: ScopeEntry;
  readOnly: boolean;
  /** The input schema of a plugin reference, when known. */
  inputSchemaOf: (plugin: string) => unknown;
}

function VersionField({ value, onChange, readOnly }: { value: number | 'latest' | undefined; onChange: (v: number | 'latest') => void; readOnly: boolean }) {
  const { t } = useTranslation('editor');
  return (
    <TextField
      label={t('subflow.version')}
      value={value === undefined ? 'latest' : String(value)}
      readOnly={readOnly}
      onChange={(text) => onChange(/^\d+$/.test(text) && Number(text) > 0 ? Number(text) : 'latest')}
    />
  );
}

function BodySettings({ node, update, scope, readOnly, inputSchemaOf }: KindProps) {
  const { t } = useTranslation('editor');
  const body: Body = node.body ?? {};
  const setBody = (patch: Partial<Body>, key?: string) =>
    update((n) => {
      const next: Record<string, unknown> = { ...(n.body ?? {}), ...patch };
      for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
      return patched(n, { body: next as Body });
    }, key);
  const mode = body.flow !== undefined ? 'flow' : 'plugin';
  return (
    <fieldset>
      <legend>{t('body.title')}</legend>
      <SelectField
        label={t('body.runs')}
        value={mode}
        disabled={readOnly}
        options={[
          { value: 'plugin', label: t('body.plugin') },
          { value: 'flow', label: t('body.flow') },
        ]}
        onChange={(v) => setBody(v === 'flow' ? { flow: '', plugin: undefined } : { plugin: '', flow: undefined, version: undefined })}
      />
      {mode === 'plugin' ? (
        <TextField label={t('step.plugin')} value={body.plugin ?? ''} readOnly={readOnly} onChange={(plugin) => setBody({ plugin }, 'plugin')} />
      ) : (
        <>
          <TextField label={t('subflow.flow')} value={body.flow ?? ''} readOnly={readOnly} onChange={(flow) => setBody({ flow }, 'flow')} />
          <VersionField value={body.version} readOnly={readOnly} onChange={(version) => setBody({ version })} />
        </>
      )}
      <p className="hint">{t('body.itemHint')}</p>
      <InputForm
        key={`${node.id}-body`}
        schema={mode === 'plugin' && body.plugin ? (inputSchemaOf(body.plugin) ?? true) : true}
        value={body.input}
        scope={scope}
        readOnly={readOnly}
        idPrefix={`body-${node.id}`}
        onChange={(input) => setBody({ input }, 'input')}
      />
      <RetrySettings retry={body.retry} readOnly={readOnly} onChange={(retry) => setBody({ retry }, 'retry')} />
      <NumberField label={t('step.timeoutMs')} min={1} value={body.timeout_ms} readOnly={readOnly} onChange={(timeout_ms) => setBody({ timeout_ms }, 'timeout')} />
    </fieldset>
  );
}

function ItemsField({ node, update, scope, readOnly }: KindProps) {
  const { t } = useTranslation('editor');
  return (
    <div>
      <span className="hint">{t('foreach.items')}</span>
      <ExpressionEditor
        bare
        value={node.items ?? ''}
        scope={scope}
        readOnly={readOnly}
        label={t('foreach.items')}
        onChange={(items) => update((n) => patched(n, { items }), 'items')}
      />
    </div>
  );
}

/** `1, 10%, 100%` ↔ `[1, "10%", "100%"]`. */
export function parseBatches(text: string): CountOrPercent[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function parseCountOrPercent(text: string): CountOrPercent | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

export function KindSettings(props: KindProps) {
  const { node, update, scope, readOnly } = props;
  const { t } = useTranslation('editor');
  switch (node.kind) {
    case 'end':
      return (
        <fieldset>
          <legend>{t('end.output')}</legend>
          <InputForm
            key={node.id}
            schema={true}
            value={node.output}
            scope={scope}
            readOnly={readOnly}
            idPrefix={`out-${node.id}`}
            onChange={(output) => update((n) => patched(n, { output: Object.keys(output).length ? output : undefined }), 'output')}
          />
        </fieldset>
      );
    case 'approval':
      return (
        <>
          <TextField
            label={t('approval.assignees')}
            value={(node.assignees ?? []).join(', ')}
            readOnly={readOnly}
            onChange={(text) => update((n) => patched(n, { assignees: text.split(',').map((s) => s.trim()).filter(Boolean) }), 'assignees')}
          />
          <TextField label={t('approval.message')} value={node.message ?? ''} readOnly={readOnly} onChange={(message) => update((n) => patched(n, { message: message || undefined }), 'message')} />
          <NumberField label={t('approval.timeoutMs')} min={1} value={node.timeout_ms} readOnly={readOnly} onChange={(timeout_ms) => update((n) => patched(n, { timeout_ms }), 'timeout')} />
          <SelectField
            label={t('approval.onTimeout')}
            value={node.on_timeout ?? 'reject'}
            disabled={readOnly}
            options={[
              { value: 'reject', label: t('approval.reject') },
              { value: 'approve', label: t('approval.approve') },
            ]}
            onChange={(on_timeout) => update((n) => patched(n, { on_timeout }))}
          />
        </>
      );
    case 'wait': {
      const mode = node.until !== undefined ? 'until' : 'duration';
      const duration = node.duration_ms;
      return (
        <>
          <SelectField
            label={t('wait.mode')}
            value={mode}
            disabled={readOnly}
            options={[
              { value: 'duration', label: t('wait.duration') },
              { value: 'until', label: t('wait.until') },
            ]}
            onChange={(v) => update((n) => patched(n, v === 'until' ? { until: '', duration_ms: undefined } : { duration_ms: 1000, until: undefined }))}
          />
          {mode === 'duration' ? (
            <TextField
              label={t('wait.durationMs')}
              value={duration === undefined ? '' : String(duration)}
              readOnly={readOnly}
              onChange={(text) =>
                update((n) => patched(n, { duration_ms: /^\d+$/.test(text) ? Number(text) : isExpression(text) || text ? text : undefined }), 'duration')
              }
            />
          ) : (
            <TextField label={t('wait.untilLabel')} value={node.until ?? ''} readOnly={readOnly} onChange={(until) => update((n) => patched(n, { until }), 'until')} />
          )}
        </>
      );
    }
    case 'foreach':
      return (
        <>
          <ItemsField {...props} />
          <NumberField label={t('foreach.concurrency')} min={1} value={node.concurrency} readOnly={readOnly} onChange={(concurrency) => update((n) => patched(n, { concurrency }), 'concurrency')} />
          <CheckField label={t('foreach.failFast')} checked={node.fail_fast ?? false} disabled={readOnly} onChange={(fail_fast) => update((n) => patched(n, { fail_fast: fail_fast || undefined }))} />
          <BodySettings {...props} />
        </>
      );
    case 'batch': {
      const between = node.between ?? 'none';
      const betweenMode = typeof between === 'object' ? 'wait' : between;
      return (
        <>
          <ItemsField {...props} />
          <TextField
            label={t('batch.batches')}
            value={(node.batches ?? []).join(', ')}
            placeholder="1, 10%, 50%, 100%"
            readOnly={readOnly}
            onChange={(text) => update((n) => patched(n, { batches: parseBatches(text) }), 'batches')}
          />
          <NumberField label={t('foreach.concurrency')} min={1} value={node.concurrency} readOnly={readOnly} onChange={(concurrency) => update((n) => patched(n, { concurrency }), 'concurrency')} />
          <SelectField
            label={t('batch.between')}
            value={betweenMode}
            disabled={readOnly}
            options={[
              { value: 'none', label: t('batch.none') },
              { value: 'approval', label: t('batch.approval') },
              { value: 'wait', label: t('batch.wait') },
            ]}
            onChange={(v) => update((n) => patched(n, { between: v === 'wait' ? { wait_ms: 60000 } : v === 'none' ? undefined : v }))}
          />
          {typeof between === 'object' && (
            <NumberField
              label={t('batch.waitMs')}
              min={0}
              value={between.wait_ms}
              readOnly={readOnly}
              onChange={(wait_ms) => update((n) => patched(n, { between: { wait_ms: wait_ms ?? 0 } }), 'between')}
            />
          )}
          <TextField
            label={t('batch.maxFailures')}
            value={node.max_failures === undefined ? '' : String(node.max_failures)}
            placeholder="0, 5%"
            readOnly={readOnly}
            onChange={(text) => update((n) => patched(n, { max_failures: parseCountOrPercent(text) }), 'maxFailures')}
          />
          <BodySettings {...props} />
        </>
      );
    }
    case 'subflow':
      return (
        <>
          <TextField label={t('subflow.flow')} value={node.flow ?? ''} readOnly={readOnly} onChange={(flow) => update((n) => patched(n, { flow }), 'flow')} />
          <VersionField value={node.version} readOnly={readOnly} onChange={(version) => update((n) => patched(n, { version }))} />
          <fieldset>
            <legend>{t('step.input')}</legend>
            <InputForm
              key={node.id}
              schema={true}
              value={node.input}
              scope={scope}
              readOnly={readOnly}
              idPrefix={`sub-${node.id}`}
              onChange={(input) => update((n) => patched(n, { input }), 'input')}
            />
          </fieldset>
          <OnErrorField value={node.on_error} readOnly={readOnly} onChange={(on_error) => update((n) => patched(n, { on_error }))} />
        </>
      );
    default:
      return null;
  }
}
