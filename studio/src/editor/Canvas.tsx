// The editing canvas: React Flow with the kinds' renderers, drop target of
// the palette, minimap and controls. Read-only when the caller may not edit.
import { useCallback, useState, type DragEvent, type RefObject } from 'react';
import { Background, Controls, MiniMap, ReactFlow, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useTranslation } from 'react-i18next';
import { nodeTypes } from './nodeTypes';
import { PALETTE_MIME } from './Palette';
import { useFlowAriaLabels } from './ariaLabels';
import type { FlowGraphEdge, FlowGraphNode } from './graph';
import type { EditorActions, NewNode } from './useFlowEditor';
import { ShortcutHelp } from './ShortcutHelp';
import { useEdgeLabels } from './useEdgeLabels';

/** Beyond this many nodes, only those in view are rendered. */
const LARGE_FLOW = 300;
/** A small flow is shown at natural size, not blown up to fill the canvas. */
const FIT = { maxZoom: 1 };

export function Canvas({
  nodes,
  edges,
  actions,
  readOnly,
  onAdd,
  boxRef,
}: {
  boxRef: RefObject<HTMLDivElement | null>;
  nodes: FlowGraphNode[];
  edges: FlowGraphEdge[];
  actions: EditorActions;
  readOnly: boolean;
  onAdd: (what: NewNode, position: { x: number; y: number }) => void;
}) {
  const { t } = useTranslation('editor');
  const flow = useReactFlow();
  const ariaLabels = useFlowAriaLabels();
  const labelled = useEdgeLabels(edges);
  // A large flow opens at a readable zoom on its start (only what is in view is
  // drawn); fitting a thousand nodes would draw them all, too small to read.
  const [opening] = useState(() => {
    if (nodes.length <= LARGE_FLOW) return null;
    const start = nodes.find((n) => n.type === 'start') ?? nodes[0]!;
    return { x: 80 - start.position.x * 0.8, y: 60 - start.position.y * 0.8, zoom: 0.8 };
  });

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const payload = event.dataTransfer.getData(PALETTE_MIME);
      if (!payload) return;
      event.preventDefault();
      const what = JSON.parse(payload) as NewNode;
      const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      onAdd(what, { x: position.x - 90, y: position.y - 32 });
    },
    [flow, onAdd],
  );

  return (
    <div ref={boxRef} className="editor-canvas" onDragOver={readOnly ? undefined : onDragOver} onDrop={readOnly ? undefined : onDrop}>
      <ReactFlow<FlowGraphNode, FlowGraphEdge>
        nodes={nodes}
        edges={labelled}
        nodeTypes={nodeTypes}
        onNodesChange={actions.onNodesChange}
        onEdgesChange={actions.onEdgesChange}
        onNodeDragStart={actions.onNodeDragStart}
        onNodeDragStop={actions.onNodeDragStop}
        onSelectionDragStart={actions.onNodeDragStart}
        onSelectionDragStop={actions.onNodeDragStop}
        onConnect={actions.onConnect}
        onReconnect={actions.onReconnect}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={!readOnly}
        elementsSelectable
        deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
        multiSelectionKeyCode={['Meta', 'Control']}
        onlyRenderVisibleElements={nodes.length > LARGE_FLOW}
        fitView={opening === null}
        fitViewOptions={FIT}
        {...(opening ? { defaultViewport: opening } : {})}
        minZoom={0.05}
        ariaLabelConfig={ariaLabels}
        proOptions={{ hideAttribution: true }}
        aria-label={t('canvas.label')}
      >
        <Background gap={20} />
        <MiniMap pannable zoomable ariaLabel={t('a11y.minimap')} />
        <Controls showInteractive={false} />
        <ShortcutHelp />
      </ReactFlow>
    </div>
  );
}
