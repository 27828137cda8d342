import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../src/editor/graph';
import {
  completionsAt,
  expressionScope,
  pathBeforeCursor,
  pluginReference,
  resolvePluginVersion,
  satisfies,
  upstreamNodes,
} from '../../src/editor/scope';

const flow: FlowDocument = {
  name: 'scope',
  inputs: { type: 'object', properties: { zone: { type: 'string', title: 'Zone' }, n: { type: 'integer' } } },
  nodes: [
    { id: 'start', kind: 'start' },
    { id: 'fetch', kind: 'step', plugin: 'add@^0.1' },
    { id: 'pick', kind: 'switch', cases: [{ when: 'true', to: 'left' }], default: 'right' },
    { id: 'left', kind: 'step', plugin: 'echo' },
    { id: 'right', kind: 'step', plugin: 'echo' },
    { id: 'after', kind: 'step', plugin: 'echo' },
    { id: 'undo', kind: 'step', plugin: 'echo' },
    { id: 'end', kind: 'end' },
  ],
  edges: [
    { from: 'start', to: 'fetch' },
    { from: 'fetch', to: 'pick' },
    { from: 'left', to: 'after' },
    { from: 'after', to: 'end' },
    { from: 'right', to: 'end' },
    { from: 'fetch', to: 'undo', kind: 'error' },
  ],
};

describe('upstreamNodes', () => {
  it('lists only the nodes that run before, through edges and switch routes', () => {
    expect(new Set(upstreamNodes(flow, 'after'))).toEqual(new Set(['left', 'pick', 'fetch', 'start']));
    expect(upstreamNodes(flow, 'after')).not.toContain('right');
    expect(upstreamNodes(flow, 'after')).not.toContain('after');
    expect(new Set(upstreamNodes(flow, 'undo'))).toEqual(new Set(['fetch', 'start']));
    expect(upstreamNodes(flow, 'start')).toEqual([]);
    expect(upstreamNodes(flow, 'left')[0]).toBe('pick'); // nearest first
  });

  it('stops on cycles', () => {
    const loop: FlowDocument = {
      name: 'loop',
      nodes: [
        { id: 'a', kind: 'step', plugin: 'echo' },
        { id: 'b', kind: 'step', plugin: 'echo' },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
    };
    expect(upstreamNodes(loop, 'a')).toEqual(['b']);
  });
});

describe('expressionScope', () => {
  const outputs = (id: string) =>
    id === 'fetch' ? { type: 'object', properties: { n: { type: 'integer', description: 'the sum' } } } : true;

  it('offers inputs and the steps upstream of the node, not those after or beside it', () => {
    const scope = expressionScope(flow, 'after', outputs);
    expect(completionsAt(scope, []).map((c) => c.label)).toEqual(['inputs', 'steps']);
    expect(completionsAt(scope, ['inputs'])).toEqual([
      { label: 'zone', detail: 'string', info: 'Zone' },
      { label: 'n', detail: 'integer' },
    ]);
    const steps = completionsAt(scope, ['steps']).map((c) => c.label);
    expect(new Set(steps)).toEqual(new Set(['left', 'pick', 'fetch', 'start']));
    expect(completionsAt(scope, ['steps', 'fetch']).map((c) => c.label)).toEqual(['output']);
    expect(completionsAt(scope, ['steps', 'fetch', 'output'])).toEqual([{ label: 'n', detail: 'integer', info: 'the sum' }]);
    expect(completionsAt(scope, ['steps', 'right'])).toEqual([]);
  });

  it('gives a node at the head of the flow nothing under steps', () => {
    expect(completionsAt(expressionScope(flow, 'start', outputs), ['steps'])).toEqual([]);
  });
});

describe('pathBeforeCursor', () => {
  it('reads the path typed inside an open ${', () => {
    expect(pathBeforeCursor('${steps.')).toEqual({ path: ['steps'], word: '', from: 8 });
    expect(pathBeforeCursor('x ${steps.fe')).toEqual({ path: ['steps'], word: 'fe', from: 10 });
    expect(pathBeforeCursor('${inputs.n + ste')).toEqual({ path: [], word: 'ste', from: 13 });
    expect(pathBeforeCursor('${a} b')).toBeNull();
    expect(pathBeforeCursor('plain text')).toBeNull();
    expect(pathBeforeCursor('inputs.zo', true)).toEqual({ path: ['inputs'], word: 'zo', from: 7 });
  });
});

describe('plugin versions', () => {
  it('follows caret requirements', () => {
    expect(satisfies('0.1.3', '^0.1')).toBe(true);
    expect(satisfies('0.2.0', '^0.1')).toBe(false);
    expect(satisfies('1.4.0', '^1.2')).toBe(true);
    expect(satisfies('2.0.0', '^1.2')).toBe(false);
    expect(satisfies('1.1.0', '^1.2')).toBe(false);
    expect(satisfies('1.2.3', '=1.2.3')).toBe(true);
    expect(satisfies('9.9.9', undefined)).toBe(true);
  });

  it('resolves the highest accepted version and writes new references', () => {
    const listed = [
      { name: 'add', version: '0.1.0' },
      { name: 'add', version: '0.1.4' },
      { name: 'add', version: '0.2.0' },
      { name: 'echo', version: '0.1.0' },
    ];
    expect(resolvePluginVersion('add@^0.1', listed)).toBe('0.1.4');
    expect(resolvePluginVersion('add', listed)).toBe('0.2.0');
    expect(resolvePluginVersion('nope@^1', listed)).toBeNull();
    expect(pluginReference('http-request', '0.3.7')).toBe('http-request@^0.3');
  });
});

describe('schemas with references', () => {
  it('follows local $refs into $defs for completion', () => {
    const output = {
      type: 'object',
      properties: { response: { $ref: '#/$defs/Response' } },
      $defs: { Response: { type: 'object', properties: { status: { type: 'integer' } } } },
    };
    const doc: FlowDocument = {
      name: 'r',
      nodes: [
        { id: 'call', kind: 'step', plugin: 'http-request' },
        { id: 'next', kind: 'step', plugin: 'echo' },
      ],
      edges: [{ from: 'call', to: 'next' }],
    };
    const scope = expressionScope(doc, 'next', (id) => (id === 'call' ? output : undefined));
    expect(completionsAt(scope, ['steps', 'call', 'output', 'response'])).toEqual([{ label: 'status', detail: 'integer' }]);
  });
});
