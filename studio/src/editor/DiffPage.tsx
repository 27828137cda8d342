// `/t/:tenant/flows/:name/diff?from=A&to=B`: the newer version's canvas with
// added, changed and (ghosted) removed nodes marked, and the field-level
// changes listed.
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useState } from 'react';
import { applyNodeChanges, Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, type NodeChange } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { api, ok } from '../api/client';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { diffGraph, type FieldChange, type FlowDiff } from './diffGraph';
import type { FlowDocument, FlowGraphEdge, FlowGraphNode } from './graph';
import { nodeTypes } from './nodeTypes';
import { useFlowAriaLabels } from './ariaLabels';
import { useEdgeLabels } from './useEdgeLabels';
import './editor.css';

const NO_EDGES: FlowGraphEdge[] = [];

async function loadDiff(tenant: string, name: string, from: number, to: number) {
  const version = (n: number) =>
    ok(
      api.GET('/api/v1/tenants/{tenant}/flows/{name}/versions/{version}', {
        params: { path: { tenant, name, version: String(n) } },
      }),
    ).then((answer) => (answer as unknown as { flow: FlowDocument }).flow);
  const [diff, before, after] = await Promise.all([
    ok(
      api.GET('/api/v1/tenants/{tenant}/flows/{name}/diff', {
        params: { path: { tenant, name }, query: { from, to } },
      }),
    ).then((answer) => (answer as unknown as { diff: FlowDiff }).diff),
    version(from),
    version(to),
  ]);
  return { diff, graph: diffGraph(before, after, diff) };
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function Changes({ changes }: { changes: FieldChange[] }) {
  const { t } = useTranslation('editor');
  return (
    <ul>
      {changes.map((c) => (
        <li key={c.field} data-field={c.field}>
          {t('diff.field', { field: c.field })} <code>{show(c.before)}</code> → <code>{show(c.after)}</code>
        </li>
      ))}
    </ul>
  );
}

/** The read-only canvas; it keeps React Flow's measurements (the minimap draws from them). */
function DiffCanvas({ nodes: initial, edges }: { nodes: FlowGraphNode[]; edges: FlowGraphEdge[] }) {
  const { t } = useTranslation('editor');
  const ariaLabels = useFlowAriaLabels();
  const [nodes, setNodes] = useState(initial);
  return (
    <ReactFlow<FlowGraphNode, FlowGraphEdge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={(changes: NodeChange<FlowGraphNode>[]) => setNodes((current) => applyNodeChanges(changes, current))}
      nodesDraggable={false}
      nodesConnectable={false}
      fitView
      minZoom={0.05}
      ariaLabelConfig={ariaLabels}
      proOptions={{ hideAttribution: true }}
    >
      <Background gap={20} />
      <MiniMap pannable zoomable ariaLabel={t('a11y.minimap')} />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

export default function DiffPage() {
  const { t } = useTranslation('editor');
  const { name = '' } = useParams();
  const [search] = useSearchParams();
  const tenant = useTenant();
  const from = Number(search.get('from'));
  const to = Number(search.get('to'));
  const loaded = useLoad(() => loadDiff(tenant.name, name, from, to), [tenant.name, name, from, to]);
  const base = `/t/${tenant.name}/flows/${encodeURIComponent(name)}`;
  const edges = useEdgeLabels(loaded.data?.graph.edges ?? NO_EDGES);
  return (
    <section className="editor-page">
      <div className="editor-toolbar">
        <h1>{t('diff.title', { name, from, to })}</h1>
        <Link to={base}>{t('diff.back')}</Link>
      </div>
      <ErrorNote error={loaded.error} />
      {!loaded.data && !loaded.error && <p>{t('page.loading')}</p>}
      {loaded.data && (
        <div className="editor-body">
          <div className="editor-canvas" aria-label={t('diff.canvas', { to })}>
            <ReactFlowProvider>
              <DiffCanvas nodes={loaded.data.graph.nodes} edges={edges} />
            </ReactFlowProvider>
          </div>
          <div className="editor-side editor-diff-changes" aria-label={t('diff.changes')}>
            <h2>{t('diff.changes')}</h2>
            <p className="editor-diff-legend">
              <span className="editor-badge editor-badge-diff-added">{t('diff.mark.added')}</span>{' '}
              <span className="editor-badge editor-badge-diff-changed">{t('diff.mark.changed')}</span>{' '}
              <span className="editor-badge editor-badge-diff-removed">{t('diff.mark.removed')}</span>
            </p>
            {loaded.data.diff.flow.length > 0 && (
              <>
                <h3>{t('diff.flowFields')}</h3>
                <Changes changes={loaded.data.diff.flow} />
              </>
            )}
            {loaded.data.diff.nodes_added.length > 0 && (
              <>
                <h3>{t('diff.added')}</h3>
                <ul>{loaded.data.diff.nodes_added.map((id) => <li key={id}>{id}</li>)}</ul>
              </>
            )}
            {loaded.data.diff.nodes_removed.length > 0 && (
              <>
                <h3>{t('diff.removed')}</h3>
                <ul>{loaded.data.diff.nodes_removed.map((id) => <li key={id}>{id}</li>)}</ul>
              </>
            )}
            {loaded.data.diff.nodes_changed.map((change) => (
              <section key={change.id} data-changed-node={change.id}>
                <h3>{t('diff.changedNode', { id: change.id })}</h3>
                <Changes changes={change.fields} />
              </section>
            ))}
            {(loaded.data.diff.edges_added.length > 0 || loaded.data.diff.edges_removed.length > 0) && (
              <>
                <h3>{t('diff.edges')}</h3>
                <ul>
                  {loaded.data.diff.edges_added.map((e, i) => (
                    <li key={`a${i}`}>{t('diff.edgeAdded', { from: e.from, to: e.to, kind: e.kind ?? 'normal' })}</li>
                  ))}
                  {loaded.data.diff.edges_removed.map((e, i) => (
                    <li key={`r${i}`}>{t('diff.edgeRemoved', { from: e.from, to: e.to, kind: e.kind ?? 'normal' })}</li>
                  ))}
                </ul>
              </>
            )}
            {loaded.data.diff.flow.length + loaded.data.diff.nodes_added.length + loaded.data.diff.nodes_removed.length + loaded.data.diff.nodes_changed.length + loaded.data.diff.edges_added.length + loaded.data.diff.edges_removed.length === 0 && (
              <p>{t('diff.same')}</p>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
