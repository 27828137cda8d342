// The run's flow version drawn by the editor's own graph conversion and node
// renderers, each node carrying its state in the run; read-only. Choosing a
// node (click, or Enter on a focused node) selects it in the side panel.
// Positions come from the nodes' `ui`; a flow with none is laid out by ELK.
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useNodesState, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { flowToGraph, type FlowDocument, type FlowGraphNode } from '../editor/graph';
import { nodeTypes } from '../editor/nodeTypes';
import { autoLayout } from '../editor/layout';
import type { NodeStatus } from './runTypes';

interface CanvasProps {
  flow: FlowDocument;
  statuses: Record<string, NodeStatus>;
  selected: string | null;
  onSelect: (id: string) => void;
}

export function RunCanvas(props: CanvasProps) {
  const { t } = useTranslation('runs');
  return (
    <div className="runs-canvas" role="region" aria-label={t('view.canvas')}>
      <ReactFlowProvider>
        <Canvas {...props} />
      </ReactFlowProvider>
    </div>
  );
}

function Canvas({ flow, statuses, selected, onSelect }: CanvasProps) {
  const { t } = useTranslation('runs');
  const { fitView } = useReactFlow();
  const graph = useMemo(() => flowToGraph(flow), [flow]);
  // React Flow keeps what it measured on the node objects it was given back
  // through onNodesChange; a fresh node object per status change would lose
  // that and leave nodes unmeasured (hidden), so statuses are written into
  // the nodes it holds.
  const [nodes, setNodes, onNodesChange] = useNodesState<FlowGraphNode>(graph.nodes);
  useEffect(() => {
    setNodes((current) =>
      current.map((node) => {
        const status = statuses[node.id] ?? 'idle';
        const isSelected = node.id === selected;
        if (node.data.status === status && node.data.readOnly && !!node.selected === isSelected) return node;
        return { ...node, selected: isSelected, data: { ...node.data, status, readOnly: true } };
      }),
    );
  }, [statuses, selected, setNodes]);
  useEffect(() => {
    if (flow.nodes.some((node) => node.ui)) return;
    let current = true;
    void autoLayout(graph.nodes, graph.edges).then((laid) => {
      if (!current) return;
      const positions = new Map(laid.map((node) => [node.id, node.position]));
      setNodes((held) => held.map((node) => ({ ...node, position: positions.get(node.id) ?? node.position })));
      requestAnimationFrame(() => void fitView());
    });
    return () => {
      current = false;
    };
  }, [flow, graph, setNodes, fitView]);
  return (
    <ReactFlow
      nodes={nodes}
      onNodesChange={onNodesChange}
      edges={graph.edges}
      nodeTypes={nodeTypes}
      nodesDraggable={false}
      nodesConnectable={false}
      edgesFocusable={false}
      elementsSelectable
      fitView
      minZoom={0.1}
      onNodeClick={(_, node) => onSelect(node.id)}
      // Enter on a focused node chooses it here, not through React Flow's
      // selection: a status arriving in the same moment rewrites the nodes'
      // selection from `selected` and could swallow the keyboard's choice.
      onKeyDown={(event) => {
        if (event.key !== 'Enter') return;
        const id = (event.target as HTMLElement).closest('.react-flow__node')?.getAttribute('data-id');
        if (id) onSelect(id);
      }}
      onSelectionChange={({ nodes: chosen }) => {
        const first = chosen[0];
        if (first && first.id !== selected) onSelect(first.id);
      }}
      proOptions={{ hideAttribution: true }}
    >
      <Background />
      <Controls showInteractive={false} />
      <MiniMap pannable zoomable ariaLabel={t('view.minimap')} />
    </ReactFlow>
  );
}
