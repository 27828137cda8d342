// The run's flow version drawn by the editor's own graph conversion and node
// renderers, each node carrying its state in the run; read-only. Choosing a
// node (click, or Enter on a focused node) selects it in the side panel.
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useNodesState } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { flowToGraph, type FlowDocument, type FlowGraphNode } from '../editor/graph';
import { nodeTypes } from '../editor/nodeTypes';
import type { NodeStatus } from './runTypes';

export function RunCanvas({
  flow,
  statuses,
  selected,
  onSelect,
}: {
  flow: FlowDocument;
  statuses: Record<string, NodeStatus>;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const { t } = useTranslation('runs');
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
  return (
    <div className="runs-canvas" role="region" aria-label={t('view.canvas')}>
      <ReactFlowProvider>
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
      </ReactFlowProvider>
    </div>
  );
}
