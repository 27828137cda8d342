import { describe, expect, it } from 'vitest';
import { fallbackPositions, flowToGraph, graphToFlow, type FlowDocument } from '../../src/editor/graph';
import versionRelease from '../../../samples/flows/version-release.json';

const branching: FlowDocument = {
  name: 'branching',
  inputs: { type: 'object', properties: { n: { type: 'integer' } } },
  nodes: [
    { id: 'start', kind: 'start', ui: { x: 0, y: 0 } },
    { id: 'pick', kind: 'switch', cases: [{ when: 'inputs.n > 1', to: 'big' }, { when: 'inputs.n == 1', to: 'one' }], default: 'small', ui: { x: 0, y: 100 } },
    { id: 'big', kind: 'step', plugin: 'echo@^0.1', input: { v: '${inputs.n}' }, on_error: 'route', ui: { x: -200, y: 200 } },
    { id: 'one', kind: 'step', plugin: 'echo@^0.1', ui: { x: 0, y: 200 } },
    { id: 'small', kind: 'step', plugin: 'echo@^0.1', ui: { x: 200, y: 200 } },
    { id: 'undo', kind: 'step', plugin: 'echo@^0.1', ui: { x: -400, y: 300 } },
    { id: 'end', kind: 'end', output: { done: true }, ui: { x: 0, y: 400 } },
  ],
  edges: [
    { from: 'start', to: 'pick' },
    { from: 'big', to: 'end' },
    { from: 'big', to: 'undo', kind: 'error' },
    { from: 'undo', to: 'end', kind: 'rollback' },
    { from: 'one', to: 'end' },
    { from: 'small', to: 'end' },
  ],
};

describe('flowToGraph', () => {
  it('draws switch routes as labelled edges and error edges from the error handle', () => {
    const graph = flowToGraph(branching);
    expect(graph.nodes.map((n) => n.type)).toEqual(['start', 'switch', 'step', 'step', 'step', 'step', 'end']);
    const cases = graph.edges.filter((e) => e.data?.role === 'case');
    expect(cases.map((e) => [e.source, e.target, e.label])).toEqual([
      ['pick', 'big', 'inputs.n > 1'],
      ['pick', 'one', 'inputs.n == 1'],
    ]);
    const fallback = graph.edges.find((e) => e.data?.role === 'default');
    expect(fallback?.target).toBe('small');
    const error = graph.edges.find((e) => e.data?.role === 'error');
    expect(error).toMatchObject({ source: 'big', target: 'undo', sourceHandle: 'error', label: 'error' });
    expect(error?.className).toContain('editor-edge-error');
    expect(new Set(graph.edges.map((e) => e.id)).size).toBe(graph.edges.length);
    expect(graph.nodes[2]!.position).toEqual({ x: -200, y: 200 });
    expect(graph.nodes[2]!.data.node).not.toHaveProperty('ui');
  });

  it('places nodes without ui by layers from the start', () => {
    const flow: FlowDocument = {
      name: 'x',
      nodes: [
        { id: 'end', kind: 'end' },
        { id: 'b', kind: 'step', plugin: 'echo' },
        { id: 'start', kind: 'start' },
        { id: 'a', kind: 'step', plugin: 'echo' },
      ],
      edges: [
        { from: 'start', to: 'a' },
        { from: 'a', to: 'b' },
        { from: 'b', to: 'end' },
        { from: 'b', to: 'a' }, // a cycle must not hang the layout
      ],
    };
    const at = fallbackPositions(flow);
    expect(at.get('start')!.y).toBeLessThan(at.get('a')!.y);
    expect(at.get('a')!.y).toBeLessThan(at.get('b')!.y);
    expect(at.get('b')!.y).toBeLessThan(at.get('end')!.y);
    const graph = flowToGraph(flow);
    expect(graph.nodes.every((n) => Number.isFinite(n.position.x) && Number.isFinite(n.position.y))).toBe(true);
  });
});

describe('graphToFlow', () => {
  it('gives back the same document (switch cases, default, error and rollback edges)', () => {
    expect(graphToFlow(flowToGraph(branching), branching)).toEqual(branching);
  });

  it('round-trips the version-release sample', () => {
    const sample = versionRelease as unknown as FlowDocument;
    const back = graphToFlow(flowToGraph(sample), sample);
    const normal = (flow: FlowDocument) => ({
      ...flow,
      edges: flow.edges.map((e) => (e.kind && e.kind !== 'normal' ? e : { from: e.from, to: e.to })),
    });
    expect(back).toEqual(normal(sample));
  });

  it('writes moved positions into ui and rebuilds cases from edited edges', () => {
    const graph = flowToGraph(branching);
    graph.nodes[3]!.position = { x: 12.345, y: 67.891 };
    // the `inputs.n == 1` route removed, a plain new edge from the switch added
    graph.edges = graph.edges.filter((e) => !(e.data?.role === 'case' && e.target === 'one'));
    graph.edges.push({ id: 'new', source: 'pick', target: 'one' });
    const flow = graphToFlow(graph, branching);
    expect(flow.nodes[3]!.ui).toEqual({ x: 12.3, y: 67.9 });
    const pick = flow.nodes.find((n) => n.id === 'pick')!;
    expect(pick.cases).toEqual([
      { when: 'inputs.n > 1', to: 'big' },
      { when: '', to: 'one' },
    ]);
    expect(pick.default).toBe('small');
    expect(flow.edges.some((e) => e.from === 'pick')).toBe(false);
  });

  it('drops the routes of a deleted switch and keeps the error kind of a new edge from the error handle', () => {
    const graph = flowToGraph(branching);
    graph.nodes = graph.nodes.filter((n) => n.id !== 'pick');
    graph.edges.push({ id: 'x', source: 'one', target: 'undo', sourceHandle: 'error' });
    const flow = graphToFlow(graph, branching);
    expect(flow.nodes.some((n) => n.id === 'pick')).toBe(false);
    expect(flow.edges).toContainEqual({ from: 'one', to: 'undo', kind: 'error' });
    expect(flow.edges.some((e) => e.from === 'pick')).toBe(false);
  });
});
