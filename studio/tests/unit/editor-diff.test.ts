import { describe, expect, it } from 'vitest';
import { diffGraph, type FlowDiff } from '../../src/editor/diffGraph';
import type { FlowDocument } from '../../src/editor/graph';

const before: FlowDocument = {
  name: 'd',
  nodes: [
    { id: 'start', kind: 'start', ui: { x: 0, y: 0 } },
    { id: 'old', kind: 'step', plugin: 'echo', ui: { x: 0, y: 100 } },
    { id: 'same', kind: 'step', plugin: 'echo', input: { a: 1 }, ui: { x: 0, y: 200 } },
    { id: 'end', kind: 'end', ui: { x: 0, y: 300 } },
  ],
  edges: [
    { from: 'start', to: 'old' },
    { from: 'old', to: 'same' },
    { from: 'same', to: 'end' },
  ],
};

const after: FlowDocument = {
  name: 'd',
  nodes: [
    { id: 'start', kind: 'start', ui: { x: 0, y: 0 } },
    { id: 'fresh', kind: 'step', plugin: 'add', ui: { x: 200, y: 100 } },
    { id: 'same', kind: 'step', plugin: 'echo', input: { a: 2 }, ui: { x: 0, y: 200 } },
    { id: 'end', kind: 'end', ui: { x: 0, y: 300 } },
  ],
  edges: [
    { from: 'start', to: 'fresh' },
    { from: 'fresh', to: 'same' },
    { from: 'same', to: 'end' },
  ],
};

const diff: FlowDiff = {
  flow: [],
  nodes_added: ['fresh'],
  nodes_removed: ['old'],
  nodes_changed: [{ id: 'same', fields: [{ field: 'input', before: { a: 1 }, after: { a: 2 } }] }],
  edges_added: [
    { from: 'start', to: 'fresh', kind: 'normal' },
    { from: 'fresh', to: 'same', kind: 'normal' },
  ],
  edges_removed: [
    { from: 'start', to: 'old', kind: 'normal' },
    { from: 'old', to: 'same', kind: 'normal' },
  ],
};

describe('diffGraph', () => {
  it('marks added and changed nodes, draws removed ones ghosted where they stood', () => {
    const graph = diffGraph(before, after, diff);
    const mark = Object.fromEntries(graph.nodes.map((n) => [n.id, n.data.diff ?? null]));
    expect(mark).toEqual({ start: null, fresh: 'added', same: 'changed', end: null, old: 'removed' });
    const ghost = graph.nodes.find((n) => n.id === 'old')!;
    expect(ghost.position).toEqual({ x: 0, y: 100 });
    expect(ghost.selectable).toBe(false);
    expect(graph.nodes.every((n) => n.draggable === false && n.data.readOnly)).toBe(true);
  });

  it('marks added edges and draws removed ones between the nodes still drawn', () => {
    const graph = diffGraph(before, after, diff);
    const added = graph.edges.filter((e) => e.data?.diff === 'added').map((e) => `${e.source}>${e.target}`);
    expect(added.sort()).toEqual(['fresh>same', 'start>fresh']);
    const removed = graph.edges.filter((e) => e.data?.diff === 'removed');
    expect(removed.map((e) => `${e.source}>${e.target}`).sort()).toEqual(['old>same', 'start>old']);
    expect(removed.every((e) => e.className?.includes('editor-edge-removed'))).toBe(true);
    expect(new Set(graph.edges.map((e) => e.id)).size).toBe(graph.edges.length);
  });
});
