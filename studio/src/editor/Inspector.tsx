// The inspector of the selected node: its id and title, its kind's settings
// and its outgoing routes. Read-only for a caller who may not edit.
import { memo, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowGraphEdge, FlowNodeData } from './graph';
import type { EditorActions } from './useFlowEditor';
import { StepSettings, patched, type NodeUpdate } from './StepSettings';
import { KindSettings } from './KindSettings';
import { RoutesEditor } from './RoutesEditor';
import { TextField } from './fields';
import type { ScopeEntry } from './scope';

const ID = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function IdField({ id, onRename, readOnly, taken }: { id: string; onRename: (next: string) => void; readOnly: boolean; taken: (id: string) => boolean }) {
  const { t } = useTranslation('editor');
  const [text, setText] = useState(id);
  useEffect(() => setText(id), [id]);
  const problem = text === id ? null : !ID.test(text) ? t('inspector.idRule') : taken(text) ? t('inspector.idTaken') : null;
  return (
    <div>
      <TextField label={t('inspector.id')} value={text} readOnly={readOnly} onChange={setText} />
      {text !== id && (
        <div className="row">
          {problem ? (
            <span className="editor-expr-error">{problem}</span>
          ) : (
            <button type="button" onClick={() => onRename(text)}>
              {t('inspector.rename')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * Memoised on what it shows: the node's id and data and the list of ids, so
 * that dragging nodes around (new positions every frame) does not redraw it.
 */
export const Inspector = memo(function Inspector({
  id,
  data,
  nodeIds,
  edges,
  actions,
  scope,
  inputSchemaOf,
  readOnly,
}: {
  id: string;
  data: FlowNodeData;
  nodeIds: string[];
  edges: FlowGraphEdge[];
  actions: EditorActions;
  scope: ScopeEntry;
  inputSchemaOf: (plugin: string) => unknown;
  readOnly: boolean;
}) {
  const { t } = useTranslation('editor');
  const node = { id, data };
  const flowNode = data.node;
  const update: NodeUpdate = (change, key) => actions.updateNode(id, change, key);
  return (
    <section className="editor-inspector" aria-label={t('inspector.title')}>
      <h2>
        {t('inspector.heading', { kind: t(`kind.${flowNode.kind}`), id: node.id })}
      </h2>
      {node.data.problems?.length ? (
        <ul className="editor-problems">
          {node.data.problems.map((message) => (
            <li key={message} className="editor-expr-error">
              {message}
            </li>
          ))}
        </ul>
      ) : null}
      {!readOnly && (
        <button type="button" className="danger" onClick={() => actions.removeNode(id)}>
          {t('inspector.delete')}
        </button>
      )}
      <IdField id={node.id} readOnly={readOnly} taken={(other) => nodeIds.includes(other)} onRename={(next) => actions.renameNode(node.id, next)} />
      <TextField
        label={t('inspector.nodeTitle')}
        value={flowNode.title ?? ''}
        readOnly={readOnly}
        onChange={(title) => update((n) => patched(n, { title: title || undefined }), 'title')}
      />
      {flowNode.kind === 'step' ? (
        <StepSettings
          node={flowNode}
          update={update}
          inputSchema={flowNode.plugin ? inputSchemaOf(flowNode.plugin) : true}
          scope={scope}
          readOnly={readOnly}
        />
      ) : (
        <KindSettings node={flowNode} update={update} scope={scope} readOnly={readOnly} inputSchemaOf={inputSchemaOf} />
      )}
      {flowNode.kind !== 'end' && (
        <RoutesEditor
          nodeId={node.id}
          isSwitch={flowNode.kind === 'switch'}
          edges={edges}
          targets={nodeIds}
          actions={actions}
          scope={scope}
          readOnly={readOnly}
        />
      )}
    </section>
  );
});
