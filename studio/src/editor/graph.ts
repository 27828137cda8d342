// Flow document ↔ React Flow graph. Pure: no React, no DOM, so that the
// editor, the diff page and the live run view draw a flow the same way and
// the round trip is unit-tested.
//
// A switch routes through its `cases` and `default` (not through edges), so
// each case becomes an edge carrying its condition as the label, and the
// document's switch settings are rebuilt from those edges on the way back.
import type { Edge, Node } from '@xyflow/react';
import type { EdgeKind, FlowDocument, FlowEdge, FlowNode, NodeKind } from './flowTypes';

export type { FlowDocument, FlowNode, FlowEdge, NodeKind, EdgeKind } from './flowTypes';

/** A node's state in a run, as the live run view reports it. */
export type RunStatus = 'idle' | 'running' | 'waiting' | 'awaiting_decision' | 'succeeded' | 'failed' | 'skipped';

/** How a node differs from the other version, on the diff page. */
export type DiffMark = 'added' | 'removed' | 'changed';

export interface FlowNodeData extends Record<string, unknown> {
  /** The document's node without its position (kept in the graph node's `position`). */
  node: Omit<FlowNode, 'ui'>;
  status?: RunStatus;
  /** Problem messages found on this node (validation). */
  problems?: string[];
  diff?: DiffMark;
  /** Read-only canvases hide the handles' affordances. */
  readOnly?: boolean;
}

/** What an edge stands for: an edge of the document, or one switch route. */
export type FlowEdgeRole = EdgeKind | 'case' | 'default';

export interface FlowEdgeData extends Record<string, unknown> {
  role: FlowEdgeRole;
  /** The condition of a switch case. */
  when?: string;
  diff?: DiffMark;
}

export type FlowGraphNode = Node<FlowNodeData, NodeKind>;
export type FlowGraphEdge = Edge<FlowEdgeData>;

export interface FlowGraph {
  nodes: FlowGraphNode[];
  edges: FlowGraphEdge[];
}

/** The source handle from which a failure is routed (steps and subflows). */
export const ERROR_HANDLE = 'error';

/** Spacing of the fallback layout for nodes the document did not place. */
export const LAYER_GAP = 140;
export const ROW_GAP = 240;

export function edgeId(role: FlowEdgeRole, from: string, to: string, n = 0): string {
  return `${role}:${from}->${to}${n ? `#${n}` : ''}`;
}

/** Edge label and class of a route, so that errors, rollbacks and cases read apart. */
export function edgePresentation(data: FlowEdgeData): { label?: string; className: string } {
  switch (data.role) {
    case 'case':
      return { label: data.when || '?', className: 'editor-edge editor-edge-case' };
    case 'default':
      return { label: 'default', className: 'editor-edge editor-edge-default' };
    case 'error':
      return { label: 'error', className: 'editor-edge editor-edge-error' };
    case 'rollback':
      return { label: 'rollback', className: 'editor-edge editor-edge-rollback' };
    default:
      return { className: 'editor-edge' };
  }
}

export function makeEdge(from: string, to: string, data: FlowEdgeData, id: string, sourceHandle?: string): FlowGraphEdge {
  const { label, className } = edgePresentation(data);
  const edge: FlowGraphEdge = { id, source: from, target: to, data, className };
  if (label !== undefined) edge.label = label;
  if (sourceHandle) edge.sourceHandle = sourceHandle;
  return edge;
}

/** Every successor pair of a document: its edges plus its switch routes. */
export function successorPairs(flow: Pick<FlowDocument, 'nodes' | 'edges'>): [string, string][] {
  const pairs: [string, string][] = flow.edges.map((e) => [e.from, e.to]);
  for (const node of flow.nodes) {
    if (node.kind !== 'switch') continue;
    for (const c of node.cases ?? []) pairs.push([node.id, c.to]);
    if (node.default) pairs.push([node.id, node.default]);
  }
  return pairs;
}

/**
 * Positions for the nodes a document did not place: layers by longest path
 * from the roots (cycles are broken where met), one row per layer.
 */
export function fallbackPositions(flow: Pick<FlowDocument, 'nodes' | 'edges'>): Map<string, { x: number; y: number }> {
  const ids = flow.nodes.map((n) => n.id);
  const known = new Set(ids);
  const next = new Map<string, string[]>(ids.map((id) => [id, []]));
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const [from, to] of successorPairs(flow)) {
    if (!known.has(from) || !known.has(to) || from === to) continue;
    next.get(from)!.push(to);
    indegree.set(to, indegree.get(to)! + 1);
  }
  const layer = new Map<string, number>();
  const remaining = new Map(indegree);
  const queue: string[] = [];
  const queued = new Set<string>();
  const enqueue = (id: string) => {
    queued.add(id);
    queue.push(id);
  };
  for (const id of ids) if (remaining.get(id) === 0) enqueue(id);
  let head = 0;
  const visit = () => {
    while (head < queue.length) {
      const id = queue[head++]!;
      const at = layer.get(id) ?? 0;
      layer.set(id, at);
      for (const to of next.get(id)!) {
        if (queued.has(to)) continue;
        layer.set(to, Math.max(layer.get(to) ?? 0, at + 1));
        const left = remaining.get(to)! - 1;
        remaining.set(to, left);
        if (left === 0) enqueue(to);
      }
    }
  };
  visit();
  // Nodes on a cycle never lose all their predecessors: go on from the first one left.
  // Prefer a node some placed predecessor already reaches, nearest the top.
  while (queued.size < ids.length) {
    let pick: string | null = null;
    for (const id of ids) {
      if (queued.has(id)) continue;
      if (pick === null || (layer.get(id) ?? Infinity) < (layer.get(pick) ?? Infinity)) pick = id;
    }
    enqueue(pick!);
    visit();
  }
  const rows = new Map<number, number>();
  const positions = new Map<string, { x: number; y: number }>();
  for (const id of ids) {
    const l = layer.get(id) ?? 0;
    const column = rows.get(l) ?? 0;
    rows.set(l, column + 1);
    positions.set(id, { x: column * ROW_GAP, y: l * LAYER_GAP });
  }
  return positions;
}

/** The graph React Flow draws for a document. */
export function flowToGraph(flow: Pick<FlowDocument, 'nodes' | 'edges'>): FlowGraph {
  const needsLayout = flow.nodes.some((n) => !n.ui);
  const fallback = needsLayout ? fallbackPositions(flow) : null;
  const nodes: FlowGraphNode[] = flow.nodes.map((flowNode) => {
    const { ui, ...node } = flowNode;
    const position = ui ? { x: ui.x, y: ui.y } : (fallback!.get(node.id) ?? { x: 0, y: 0 });
    return { id: node.id, type: node.kind, position, data: { node } };
  });
  const edges: FlowGraphEdge[] = [];
  const seen = new Map<string, number>();
  const unique = (id: string) => {
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return n ? `${id}#${n}` : id;
  };
  for (const e of flow.edges) {
    const role: FlowEdgeRole = e.kind ?? 'normal';
    const handle = role === 'error' ? ERROR_HANDLE : undefined;
    edges.push(makeEdge(e.from, e.to, { role }, unique(edgeId(role, e.from, e.to)), handle));
  }
  for (const node of flow.nodes) {
    if (node.kind !== 'switch') continue;
    (node.cases ?? []).forEach((c) => {
      edges.push(makeEdge(node.id, c.to, { role: 'case', when: c.when }, unique(edgeId('case', node.id, c.to))));
    });
    if (node.default) {
      edges.push(makeEdge(node.id, node.default, { role: 'default' }, unique(edgeId('default', node.id, node.default))));
    }
  }
  return { nodes, edges };
}

function roundPosition(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * The document for a graph: `base` gives the flow-level fields (name, title,
 * inputs …), the graph its nodes (positions into `ui`), edges and switch
 * routes. An edge leaving a switch without a role becomes a case with an
 * empty condition, which validation then reports.
 */
export function graphToFlow(graph: FlowGraph, base: FlowDocument): FlowDocument {
  const switches = new Set(graph.nodes.filter((n) => n.data.node.kind === 'switch').map((n) => n.id));
  const cases = new Map<string, { when: string; to: string }[]>();
  const defaults = new Map<string, string>();
  const edges: FlowEdge[] = [];
  for (const e of graph.edges) {
    const role = e.data?.role ?? (e.sourceHandle === ERROR_HANDLE ? 'error' : 'normal');
    if (switches.has(e.source) && (role === 'case' || role === 'default' || role === 'normal')) {
      if (role === 'default' && !defaults.has(e.source)) defaults.set(e.source, e.target);
      else {
        const list = cases.get(e.source) ?? [];
        list.push({ when: role === 'case' ? (e.data?.when ?? '') : '', to: e.target });
        cases.set(e.source, list);
      }
      continue;
    }
    if (role === 'case' || role === 'default') continue; // a route whose switch is gone
    const edge: FlowEdge = { from: e.source, to: e.target };
    if (role !== 'normal') edge.kind = role;
    edges.push(edge);
  }
  const nodes: FlowNode[] = graph.nodes.map((n) => {
    const node: FlowNode = { ...n.data.node, id: n.id };
    if (node.kind === 'switch') {
      node.cases = cases.get(n.id) ?? [];
      const fallback = defaults.get(n.id);
      if (fallback) node.default = fallback;
      else delete node.default;
    }
    node.ui = { x: roundPosition(n.position.x), y: roundPosition(n.position.y) };
    return node;
  });
  return { ...base, nodes, edges };
}
