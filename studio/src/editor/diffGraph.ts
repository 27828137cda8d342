// The visual diff: the newer version's graph with each node and edge marked
// added, changed or (drawn ghosted, where it stood) removed.
import { edgeId, flowToGraph, makeEdge, type DiffMark, type FlowDocument, type FlowGraph } from './graph';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface FlowDiff {
  flow: FieldChange[];
  nodes_added: string[];
  nodes_removed: string[];
  nodes_changed: { id: string; fields: FieldChange[] }[];
  edges_added: { from: string; to: string; kind?: string }[];
  edges_removed: { from: string; to: string; kind?: string }[];
}

export function diffGraph(before: FlowDocument, after: FlowDocument, diff: FlowDiff): FlowGraph {
  const graph = flowToGraph(after);
  const marks = new Map<string, DiffMark>();
  for (const id of diff.nodes_added) marks.set(id, 'added');
  for (const change of diff.nodes_changed) marks.set(change.id, 'changed');
  const nodes = graph.nodes.map((n) => {
    const mark = marks.get(n.id);
    return { ...n, draggable: false, data: { ...n.data, readOnly: true, ...(mark ? { diff: mark } : {}) } };
  });
  const removed = new Set(diff.nodes_removed);
  const ghosts = flowToGraph(before).nodes.filter((n) => removed.has(n.id));
  for (const ghost of ghosts) {
    nodes.push({
      ...ghost,
      id: ghost.id,
      draggable: false,
      selectable: false,
      data: { ...ghost.data, diff: 'removed', readOnly: true },
    });
  }
  const key = (from: string, to: string, kind?: string) => `${from}>${to}>${kind ?? 'normal'}`;
  const addedEdges = new Set(diff.edges_added.map((e) => key(e.from, e.to, e.kind)));
  const edges = graph.edges.map((e) => {
    const role = e.data?.role ?? 'normal';
    if (role === 'case' || role === 'default' || !addedEdges.has(key(e.source, e.target, role))) return e;
    return { ...e, className: `${e.className ?? ''} editor-edge-added`, data: { ...e.data!, diff: 'added' as const } };
  });
  const present = new Set(nodes.map((n) => n.id));
  diff.edges_removed.forEach((e, i) => {
    if (!present.has(e.from) || !present.has(e.to)) return;
    const role = (e.kind ?? 'normal') as 'normal' | 'error' | 'rollback';
    const edge = makeEdge(e.from, e.to, { role, diff: 'removed' }, `${edgeId(role, e.from, e.to)}~removed${i}`);
    edges.push({ ...edge, className: `${edge.className ?? ''} editor-edge-removed` });
  });
  return { nodes, edges };
}
