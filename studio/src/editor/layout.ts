// Automatic layout with elkjs (layered, top to bottom), loaded on first use
// so that opening a flow whose nodes are placed never pays for it.
import type { Edge, Node } from '@xyflow/react';
import { NODE_SIZE } from './nodeSizes';

type ElkModule = typeof import('elkjs/lib/elk.bundled.js');
let elk: Promise<InstanceType<ElkModule['default']>> | null = null;

function loadElk() {
  elk ??= import('elkjs/lib/elk.bundled.js').then((module) => new module.default());
  return elk;
}

function sizeOf(node: Node) {
  const measured = node.measured;
  if (measured?.width && measured.height) return { width: measured.width, height: measured.height };
  return NODE_SIZE[node.type as keyof typeof NODE_SIZE] ?? NODE_SIZE.step;
}

/** The same nodes at the positions ELK's layered algorithm gives them. */
export async function autoLayout<N extends Node, E extends Edge>(nodes: N[], edges: E[]): Promise<N[]> {
  const engine = await loadElk();
  const known = new Set(nodes.map((n) => n.id));
  const laid = await engine.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60',
      'elk.spacing.nodeNode': '40',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: nodes.map((n) => ({ id: n.id, ...sizeOf(n) })),
    edges: edges
      .filter((e) => known.has(e.source) && known.has(e.target))
      .map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const positions = new Map((laid.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
  return nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position }));
}
