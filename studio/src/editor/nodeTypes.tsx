// One renderer per node kind, each drawn as its own shape (an SVG outline
// behind the label) so that kinds read apart without colour. A node's run
// status and problems are shown as text as well as colour. Renderers are
// memoised: dragging one node must not re-render a thousand.
import { memo, type ReactNode } from 'react';
import { Handle, Position, type NodeProps, type NodeTypes } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { ERROR_HANDLE, type FlowGraphNode } from './graph';
import type { NodeKind } from './flowTypes';
import { NODE_SIZE } from './nodeSizes';
import './editor.css';

/** The outline of each kind, in a box of the kind's size. */
function Outline({ kind, width: w, height: h }: { kind: NodeKind; width: number; height: number }) {
  const common = { className: 'editor-node-outline', vectorEffect: 'non-scaling-stroke' as const };
  switch (kind) {
    case 'start':
      return <rect {...common} x={1} y={1} width={w - 2} height={h - 2} rx={(h - 2) / 2} />;
    case 'end':
      return (
        <>
          <rect {...common} x={1} y={1} width={w - 2} height={h - 2} rx={(h - 2) / 2} />
          <rect {...common} x={5} y={5} width={w - 10} height={h - 10} rx={(h - 10) / 2} />
        </>
      );
    case 'switch':
      return <polygon {...common} points={`${w / 2},1 ${w - 1},${h / 2} ${w / 2},${h - 1} 1,${h / 2}`} />;
    case 'parallel':
    case 'join':
      return (
        <>
          <rect {...common} x={1} y={1} width={w - 2} height={h - 2} rx={4} />
          <line {...common} x1={8} y1={kind === 'parallel' ? h - 6 : 6} x2={w - 8} y2={kind === 'parallel' ? h - 6 : 6} />
        </>
      );
    case 'approval':
      return (
        <polygon
          {...common}
          points={`14,1 ${w - 14},1 ${w - 1},${h / 2} ${w - 14},${h - 1} 14,${h - 1} 1,${h / 2}`}
        />
      );
    case 'wait':
      return <ellipse {...common} cx={w / 2} cy={h / 2} rx={w / 2 - 1} ry={h / 2 - 1} />;
    case 'foreach':
    case 'batch':
      return (
        <>
          <rect {...common} x={9} y={1} width={w - 10} height={h - 10} rx={6} strokeDasharray={kind === 'batch' ? '5 3' : undefined} />
          <rect {...common} x={1} y={9} width={w - 10} height={h - 10} rx={6} strokeDasharray={kind === 'batch' ? '5 3' : undefined} />
        </>
      );
    case 'subflow':
      return (
        <>
          <rect {...common} x={1} y={1} width={w - 2} height={h - 2} rx={2} />
          <line {...common} x1={12} y1={1} x2={12} y2={h - 1} />
          <line {...common} x1={w - 12} y1={1} x2={w - 12} y2={h - 1} />
        </>
      );
    default:
      return <rect {...common} x={1} y={1} width={w - 2} height={h - 2} rx={8} />;
  }
}

/** The second line under a node's name: what it calls or waits for. */
function detail(node: FlowGraphNode['data']['node']): string | null {
  switch (node.kind) {
    case 'step':
      return node.plugin ?? null;
    case 'subflow':
      return node.flow ?? null;
    case 'foreach':
    case 'batch':
      return node.body?.plugin ?? node.body?.flow ?? null;
    case 'wait':
      return node.duration_ms !== undefined ? String(node.duration_ms) : (node.until ?? null);
    default:
      return null;
  }
}

function FlowNodeView({ data, selected, type }: NodeProps<FlowGraphNode>) {
  const { t } = useTranslation('editor');
  const kind = (type ?? data.node.kind) as NodeKind;
  const size = NODE_SIZE[kind] ?? NODE_SIZE.step;
  const { node, status, problems, diff, readOnly } = data;
  const problemCount = problems?.length ?? 0;
  const second = detail(node);
  const classes = [
    'editor-node',
    `editor-node-${kind}`,
    status ? `editor-status-${status}` : '',
    problemCount ? 'editor-node-problem' : '',
    diff ? `editor-diff-${diff}` : '',
    selected ? 'editor-node-selected' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const badges: ReactNode[] = [];
  if (status && status !== 'idle')
    badges.push(
      <span key="status" className={`editor-badge editor-badge-status editor-badge-${status}`}>
        {t(`status.${status}`)}
      </span>,
    );
  if (problemCount)
    badges.push(
      <span key="problems" className="editor-badge editor-badge-problems" title={problems!.join('\n')}>
        {t('node.problems', { count: problemCount })}
      </span>,
    );
  if (diff)
    badges.push(
      <span key="diff" className={`editor-badge editor-badge-diff-${diff}`}>
        {t(`diff.mark.${diff}`)}
      </span>,
    );
  return (
    <div className={classes} style={{ width: size.width, height: size.height }} data-kind={kind} data-node-id={node.id}>
      <svg className="editor-node-shape" width={size.width} height={size.height} aria-hidden="true">
        <Outline kind={kind} width={size.width} height={size.height} />
      </svg>
      {kind !== 'start' && <Handle type="target" position={Position.Top} isConnectable={!readOnly} />}
      <div className="editor-node-label">
        <span className="editor-node-kind">{t(`kind.${kind}`)}</span>
        <strong className="editor-node-title">{node.title || node.id}</strong>
        {second && <span className="editor-node-detail">{second}</span>}
      </div>
      {badges.length > 0 && <div className="editor-node-badges">{badges}</div>}
      {kind !== 'end' && <Handle type="source" position={Position.Bottom} isConnectable={!readOnly} />}
      {(kind === 'step' || kind === 'subflow') && (
        <Handle
          type="source"
          id={ERROR_HANDLE}
          position={Position.Right}
          className="editor-handle-error"
          isConnectable={!readOnly}
          title={t('node.errorHandle')}
        />
      )}
    </div>
  );
}

const MemoNode = memo(FlowNodeView);

/** The renderers, one per kind, for `<ReactFlow nodeTypes={nodeTypes}>` (a constant: React Flow wants it stable). */
export const nodeTypes: NodeTypes = {
  start: MemoNode,
  end: MemoNode,
  step: MemoNode,
  parallel: MemoNode,
  join: MemoNode,
  switch: MemoNode,
  approval: MemoNode,
  wait: MemoNode,
  foreach: MemoNode,
  batch: MemoNode,
  subflow: MemoNode,
};
