// The editor's state: the graph React Flow draws plus the flow-level fields,
// every change recorded for undo/redo, and a generation number that moves on
// each change to the document (not on selection, not on every drag frame) —
// validation and autosave follow it.
import { useCallback, useMemo, useRef, useState } from 'react';
import {
  applyEdgeChanges,
  applyNodeChanges,
  reconnectEdge,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import {
  ERROR_HANDLE,
  edgeId,
  edgePresentation,
  flowToGraph,
  graphToFlow,
  makeEdge,
  type FlowDocument,
  type FlowEdgeData,
  type FlowGraph,
  type FlowGraphEdge,
  type FlowGraphNode,
  type FlowNode,
  type NodeKind,
} from './graph';
import { emptyHistory, record, redo as redoHistory, undo as undoHistory, type History } from './history';
import { copySelection, pasteClipboard } from './clipboard';
import { renameReferences, uniqueId } from './ids';

interface EditorState extends FlowGraph {
  base: FlowDocument;
}

export interface NewNode {
  kind: NodeKind;
  /** For a step: `name@^major.minor`; the id derives from the name. */
  plugin?: string;
  pluginName?: string;
}

/** The settings a node of each kind starts with (what the format requires). */
function initialSettings(kind: NodeKind, plugin: string | undefined): Partial<FlowNode> {
  switch (kind) {
    case 'step':
      return { plugin: plugin ?? '', input: {} };
    case 'switch':
      return { cases: [] };
    case 'approval':
      return { assignees: [] };
    case 'wait':
      return { duration_ms: 1000 };
    case 'foreach':
      return { items: '', body: { plugin: plugin ?? '' } };
    case 'batch':
      return { items: '', batches: [1, '100%'], body: { plugin: plugin ?? '' } };
    case 'subflow':
      return { flow: '' };
    default:
      return {};
  }
}

let edgeCounter = 0;
function freshEdgeId(data: FlowEdgeData, from: string, to: string) {
  edgeCounter += 1;
  return `${edgeId(data.role, from, to)}~${edgeCounter}`;
}

export function useFlowEditor(initial: FlowDocument) {
  const [state, setState] = useState<EditorState>(() => ({ ...flowToGraph(initial), base: initial }));
  const stateRef = useRef(state);
  stateRef.current = state;
  const [generation, setGeneration] = useState(0);
  const history = useRef<History<EditorState>>(emptyHistory());
  const [historySize, setHistorySize] = useState({ past: 0, future: 0 });
  const clipboard = useRef<FlowGraph | null>(null);

  const syncHistorySize = () =>
    setHistorySize({ past: history.current.past.length, future: history.current.future.length });

  /** Apply a change to the document: recorded for undo (coalesced by `key`), generation moved on. */
  const change = useCallback((update: (current: EditorState) => EditorState, key: string | null = null) => {
    const current = stateRef.current;
    const next = update(current);
    if (next === current) return;
    history.current = record(history.current, current, key);
    stateRef.current = next;
    setState(next);
    setGeneration((g) => g + 1);
    syncHistorySize();
  }, []);

  /** A change that is not part of the document (selection, measured sizes, drag frames). */
  const quiet = useCallback((update: (current: EditorState) => EditorState) => {
    const next = update(stateRef.current);
    stateRef.current = next;
    setState(next);
  }, []);

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowGraphNode>[]) => {
      const removes = changes.some((c) => c.type === 'remove');
      // A drag's frames carry `dragging: true`; the document changes once, at drag end.
      const moved = changes.some((c) => c.type === 'position' && c.dragging === false && c.position);
      const apply = (s: EditorState) => ({ ...s, nodes: applyNodeChanges(changes, s.nodes) });
      if (removes) {
        change((s) => {
          const next = apply(s);
          const left = new Set(next.nodes.map((n) => n.id));
          return { ...next, edges: next.edges.filter((e) => left.has(e.source) && left.has(e.target)) };
        });
      } else if (moved) change(apply, 'move');
      else quiet(apply);
    },
    [change, quiet],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<FlowGraphEdge>[]) => {
      const apply = (s: EditorState) => ({ ...s, edges: applyEdgeChanges(changes, s.edges) });
      if (changes.some((c) => c.type === 'remove')) change(apply);
      else quiet(apply);
    },
    [change, quiet],
  );

  /** Before a drag: remember where the nodes were, for undo. */
  const onNodeDragStart = useCallback(() => {
    history.current = record(history.current, stateRef.current);
    syncHistorySize();
  }, []);

  /** After a drag: the positions are part of the document now. */
  const onNodeDragStop = useCallback(() => setGeneration((g) => g + 1), []);

  const roleFor = (source: string, sourceHandle: string | null | undefined, nodes: FlowGraphNode[]): FlowEdgeData => {
    const kind = nodes.find((n) => n.id === source)?.data.node.kind;
    if (kind === 'switch') return { role: 'case', when: '' };
    if (sourceHandle === ERROR_HANDLE) return { role: 'error' };
    return { role: 'normal' };
  };

  const connect = useCallback(
    (from: string, to: string, data?: FlowEdgeData, sourceHandle?: string | null) => {
      change((s) => {
        const role = data ?? roleFor(from, sourceHandle, s.nodes);
        const handle = role.role === 'error' ? ERROR_HANDLE : undefined;
        const duplicate = s.edges.some(
          (e) => e.source === from && e.target === to && (e.data?.role ?? 'normal') === role.role && role.role !== 'case',
        );
        if (duplicate || from === to) return s;
        const edges = [...s.edges, makeEdge(from, to, role, freshEdgeId(role, from, to), handle)];
        // A failure follows an error edge only with `on_error: route`: drawing one says so.
        const nodes =
          role.role === 'error'
            ? s.nodes.map((n) =>
                n.id === from && (n.data.node.kind === 'step' || n.data.node.kind === 'subflow') && n.data.node.on_error !== 'route'
                  ? { ...n, data: { ...n.data, node: { ...n.data.node, on_error: 'route' as const } } }
                  : n,
              )
            : s.nodes;
        return { ...s, nodes, edges };
      });
    },
    [change],
  );

  const onConnect = useCallback(
    (connection: Connection) => connect(connection.source, connection.target, undefined, connection.sourceHandle),
    [connect],
  );

  const onReconnect = useCallback(
    (old: FlowGraphEdge, connection: Connection) => {
      change((s) => ({ ...s, edges: reconnectEdge(old, connection, s.edges, { shouldReplaceId: false }) }));
    },
    [change],
  );

  const addNode = useCallback(
    (what: NewNode, position: { x: number; y: number }): string => {
      const taken = new Set(stateRef.current.nodes.map((n) => n.id));
      const id = uniqueId(what.pluginName ?? what.kind, taken);
      const node = { id, kind: what.kind, ...initialSettings(what.kind, what.plugin) } as Omit<FlowNode, 'ui'>;
      change((s) => ({
        ...s,
        nodes: [
          ...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
          { id, type: what.kind, position, data: { node }, selected: true },
        ],
      }));
      return id;
    },
    [change],
  );

  /** Change one node's settings; `key` groups the keystrokes of one field into one undo step. */
  const updateNode = useCallback(
    (id: string, update: (node: Omit<FlowNode, 'ui'>) => Omit<FlowNode, 'ui'>, key?: string) => {
      change(
        (s) => ({
          ...s,
          nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, node: update(n.data.node) } } : n)),
        }),
        key ? `${id}:${key}` : null,
      );
    },
    [change],
  );

  /** Give a node a new id; its edges and the switch routes to it follow. */
  const renameNode = useCallback(
    (id: string, next: string) => {
      change((s) => {
        if (s.nodes.some((n) => n.id === next)) return s;
        const nodes = s.nodes.map((n) => {
          // Expressions that read the node (`steps.<id>…`) follow it.
          const { id: own, ...settings } = n.data.node;
          const rewritten = renameReferences(settings, id, next);
          const node = { ...rewritten, id: own === id ? next : own };
          return JSON.stringify(settings) === JSON.stringify(rewritten) && own !== id
            ? n
            : { ...n, id: n.id === id ? next : n.id, data: { ...n.data, node } };
        });
        const edges = s.edges.map((e) => {
          const when = e.data?.when !== undefined ? renameReferences(e.data.when, id, next) : undefined;
          const moved = e.source === id || e.target === id;
          if (!moved && when === e.data?.when) return e;
          const data = when !== undefined && e.data ? { ...e.data, when } : e.data;
          return {
            ...e,
            source: e.source === id ? next : e.source,
            target: e.target === id ? next : e.target,
            ...(data ? { data, ...(data.role === 'case' ? { label: data.when || '?' } : {}) } : {}),
          };
        });
        return { ...s, nodes, edges };
      });
    },
    [change],
  );

  const updateEdge = useCallback(
    (id: string, data: FlowEdgeData, key?: string) => {
      change(
        (s) => ({
          ...s,
          edges: s.edges.map((e) => {
            if (e.id !== id) return e;
            const { label, className } = edgePresentation(data);
            const next: FlowGraphEdge = { ...e, data, className };
            if (label === undefined) delete next.label;
            else next.label = label;
            if (data.role === 'error') next.sourceHandle = ERROR_HANDLE;
            else delete next.sourceHandle;
            return next;
          }),
        }),
        key ? `edge:${id}:${key}` : null,
      );
    },
    [change],
  );

  const retargetEdge = useCallback(
    (id: string, target: string) => {
      change((s) => ({ ...s, edges: s.edges.map((e) => (e.id === id ? { ...e, target } : e)) }));
    },
    [change],
  );

  const removeEdge = useCallback(
    (id: string) => change((s) => ({ ...s, edges: s.edges.filter((e) => e.id !== id) })),
    [change],
  );

  const updateBase = useCallback(
    (update: (base: FlowDocument) => FlowDocument, key?: string) => {
      change((s) => ({ ...s, base: update(s.base) }), key ? `base:${key}` : null);
    },
    [change],
  );

  const undo = useCallback(() => {
    const step = undoHistory(history.current, stateRef.current);
    if (!step) return;
    history.current = step.history;
    stateRef.current = step.state;
    setState(step.state);
    setGeneration((g) => g + 1);
    syncHistorySize();
  }, []);

  const redo = useCallback(() => {
    const step = redoHistory(history.current, stateRef.current);
    if (!step) return;
    history.current = step.history;
    stateRef.current = step.state;
    setState(step.state);
    setGeneration((g) => g + 1);
    syncHistorySize();
  }, []);

  const copy = useCallback(() => {
    const clip = copySelection(stateRef.current);
    if (clip) clipboard.current = clip;
    return clip !== null;
  }, []);

  const paste = useCallback(() => {
    const clip = clipboard.current;
    if (!clip) return;
    change((s) => {
      const pasted = pasteClipboard(clip, new Set(s.nodes.map((n) => n.id)));
      // The next paste lands further on, not on top of this one.
      clipboard.current = {
        nodes: clip.nodes.map((n) => ({ ...n, position: { x: n.position.x + 40, y: n.position.y + 40 } })),
        edges: clip.edges,
      };
      return {
        ...s,
        nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted.nodes],
        edges: [...s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...pasted.edges],
      };
    });
  }, [change]);

  const deleteSelected = useCallback(() => {
    change((s) => {
      const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
      const edges = s.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
      if (gone.size === 0 && edges.length === s.edges.length) return s;
      return { ...s, nodes: s.nodes.filter((n) => !gone.has(n.id)), edges };
    });
  }, [change]);

  const removeNode = useCallback(
    (id: string) =>
      change((s) => ({
        ...s,
        nodes: s.nodes.filter((n) => n.id !== id),
        edges: s.edges.filter((e) => e.source !== id && e.target !== id),
      })),
    [change],
  );

  const select = useCallback(
    (id: string | null) => {
      quiet((s) => ({
        ...s,
        nodes: s.nodes.map((n) => {
          const selected = n.id === id;
          return (n.selected ?? false) === selected ? n : { ...n, selected };
        }),
        edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      }));
    },
    [quiet],
  );

  /** New positions for every node (auto-layout), as one undoable change. */
  const placeNodes = useCallback(
    (positions: Map<string, { x: number; y: number }>) => {
      change((s) => ({
        ...s,
        nodes: s.nodes.map((n) => {
          const at = positions.get(n.id);
          return at ? { ...n, position: at } : n;
        }),
      }));
    },
    [change],
  );

  /** Show validation problems on their nodes; only nodes whose problems changed get new objects. */
  const showProblems = useCallback(
    (byNode: Map<string, string[]>) => {
      quiet((s) => {
        let touched = false;
        const nodes = s.nodes.map((n) => {
          const now = byNode.get(n.id);
          const before = n.data.problems;
          const same = (now?.length ?? 0) === (before?.length ?? 0) && (now ?? []).every((m, i) => before?.[i] === m);
          if (same) return n;
          touched = true;
          const data = { ...n.data };
          if (now?.length) data.problems = now;
          else delete data.problems;
          return { ...n, data };
        });
        return touched ? { ...s, nodes } : s;
      });
    },
    [quiet],
  );

  /** Replace everything with a document read from the server (reload after a conflict). */
  const reset = useCallback((flow: FlowDocument) => {
    const next = { ...flowToGraph(flow), base: flow };
    history.current = emptyHistory();
    stateRef.current = next;
    setState(next);
    setGeneration((g) => g + 1);
    syncHistorySize();
  }, []);

  /** The document as it stands (computed on demand: saving, validating). */
  const document = useCallback(() => graphToFlow(stateRef.current, stateRef.current.base), []);

  const actions = useMemo(
    () => ({
      onNodesChange,
      onEdgesChange,
      onNodeDragStart,
      onNodeDragStop,
      onConnect,
      onReconnect,
      connect,
      addNode,
      updateNode,
      renameNode,
      updateEdge,
      retargetEdge,
      removeEdge,
      updateBase,
      undo,
      redo,
      copy,
      paste,
      deleteSelected,
      removeNode,
      select,
      placeNodes,
      showProblems,
      reset,
      document,
    }),
    [
      onNodesChange,
      onEdgesChange,
      onNodeDragStart,
      onNodeDragStop,
      onConnect,
      onReconnect,
      connect,
      addNode,
      updateNode,
      renameNode,
      updateEdge,
      retargetEdge,
      removeEdge,
      updateBase,
      undo,
      redo,
      copy,
      paste,
      deleteSelected,
      removeNode,
      select,
      placeNodes,
      showProblems,
      reset,
      document,
    ],
  );

  return { state, generation, historySize, actions };
}

export type EditorActions = ReturnType<typeof useFlowEditor>['actions'];
