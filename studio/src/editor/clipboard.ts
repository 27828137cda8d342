// Copy and paste of a selection: the nodes and the edges between them, pasted
// under fresh ids (switch routes follow their renamed targets), shifted so
// that the copy does not hide the original.
import { edgeId, makeEdge, type FlowGraph, type FlowGraphEdge, type FlowGraphNode } from './graph';
import { uniqueId } from './ids';

export function copySelection(graph: FlowGraph): FlowGraph | null {
  const nodes = graph.nodes.filter((n) => n.selected);
  if (nodes.length === 0) return null;
  const ids = new Set(nodes.map((n) => n.id));
  const edges = graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  return { nodes, edges };
}

/** The clipboard's nodes and edges under ids not in `taken`, selected, moved by `offset`. */
export function pasteClipboard(clip: FlowGraph, taken: ReadonlySet<string>, offset = 40): FlowGraph {
  const used = new Set(taken);
  const renamed = new Map<string, string>();
  for (const node of clip.nodes) {
    const id = uniqueId(node.id.replace(/_\d+$/, ''), used);
    used.add(id);
    renamed.set(node.id, id);
  }
  const nodes: FlowGraphNode[] = clip.nodes.map((node) => {
    const id = renamed.get(node.id)!;
    return {
      id,
      type: node.type,
      position: { x: node.position.x + offset, y: node.position.y + offset },
      data: { node: { ...node.data.node, id } },
      selected: true,
    };
  });
  const edges: FlowGraphEdge[] = clip.edges.map((edge, i) => {
    const from = renamed.get(edge.source)!;
    const to = renamed.get(edge.target)!;
    const data = edge.data ?? { role: 'normal' as const };
    return makeEdge(from, to, { ...data }, `${edgeId(data.role, from, to)}~${Date.now().toString(36)}${i}`, edge.sourceHandle ?? undefined);
  });
  return { nodes, edges };
}
