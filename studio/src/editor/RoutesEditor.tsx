// A node's outgoing connections, editable without a mouse: for a switch its
// cases (condition → node) and default, for other nodes their edges with
// their kind (normal, error, rollback).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowEdgeData, FlowGraphEdge } from './graph';
import type { EditorActions } from './useFlowEditor';
import { ExpressionEditor } from './ExpressionEditor';
import { SelectField } from './fields';
import type { ScopeEntry } from './scope';

type Role = FlowEdgeData['role'];

function TargetSelect({ label, value, targets, onChange, disabled }: { label: string; value: string; targets: string[]; onChange: (v: string) => void; disabled: boolean }) {
  return <SelectField label={label} value={value} disabled={disabled} options={targets.map((id) => ({ value: id, label: id }))} onChange={onChange} />;
}

export function RoutesEditor({
  nodeId,
  isSwitch,
  edges,
  targets,
  actions,
  scope,
  readOnly,
}: {
  nodeId: string;
  isSwitch: boolean;
  edges: FlowGraphEdge[];
  targets: string[];
  actions: EditorActions;
  scope: ScopeEntry;
  readOnly: boolean;
}) {
  const { t } = useTranslation('editor');
  const others = targets.filter((id) => id !== nodeId);
  const [target, setTarget] = useState('');
  const [role, setRole] = useState<Role>(isSwitch ? 'case' : 'normal');
  const outgoing = edges.filter((e) => e.source === nodeId);
  const chosen = others.includes(target) ? target : (others[0] ?? '');
  const roles: Role[] = isSwitch ? ['case', 'default'] : ['normal', 'error', 'rollback'];
  const newRole = roles.includes(role) ? role : roles[0]!;
  const add = () => {
    if (!chosen) return;
    actions.connect(nodeId, chosen, newRole === 'case' ? { role: newRole, when: '' } : { role: newRole });
  };
  return (
    <fieldset className="editor-routes">
      <legend>{isSwitch ? t('routes.cases') : t('routes.next')}</legend>
      {outgoing.length === 0 && <p className="hint">{t('routes.none')}</p>}
      {outgoing.map((edge, i) => {
        const data = edge.data ?? { role: 'normal' as Role };
        return (
          <div key={edge.id} className="editor-field">
            {data.role === 'case' ? (
              <div>
                <span className="hint">{t('routes.when')}</span>
                <ExpressionEditor
                  bare
                  value={data.when ?? ''}
                  scope={scope}
                  readOnly={readOnly}
                  label={t('routes.whenOf', { n: i + 1 })}
                  onChange={(when) => actions.updateEdge(edge.id, { ...data, when }, 'when')}
                />
              </div>
            ) : null}
            <TargetSelect label={t('routes.to')} value={edge.target} targets={others} disabled={readOnly} onChange={(to) => actions.retargetEdge(edge.id, to)} />
            <div className="row">
              <SelectField
                label={t('routes.kind')}
                value={data.role}
                disabled={readOnly}
                options={roles.map((r) => ({ value: r, label: t(`routes.role.${r}`) }))}
                onChange={(next) => actions.updateEdge(edge.id, next === 'case' ? { role: next, when: data.when ?? '' } : { role: next })}
              />
              {!readOnly && (
                <button type="button" onClick={() => actions.removeEdge(edge.id)} aria-label={t('routes.remove', { to: edge.target })}>
                  {t('routes.removeShort')}
                </button>
              )}
            </div>
          </div>
        );
      })}
      {!readOnly && others.length > 0 && (
        <div className="row">
          <TargetSelect label={t('routes.newTo')} value={chosen} targets={others} disabled={false} onChange={setTarget} />
          <SelectField label={t('routes.kind')} value={newRole} options={roles.map((r) => ({ value: r, label: t(`routes.role.${r}`) }))} onChange={setRole} />
          <button type="button" onClick={add}>
            {t('routes.add')}
          </button>
        </div>
      )}
    </fieldset>
  );
}
