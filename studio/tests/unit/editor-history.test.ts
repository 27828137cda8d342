import { describe, expect, it } from 'vitest';
import { emptyHistory, record, redo, undo } from '../../src/editor/history';
import { uniqueId } from '../../src/editor/ids';
import { pasteClipboard } from '../../src/editor/clipboard';
import { flowToGraph, type FlowDocument } from '../../src/editor/graph';

describe('history', () => {
  it('undoes and redoes, coalescing quick changes of one key', () => {
    let h = emptyHistory<number>();
    h = record(h, 1, null, 0);
    h = record(h, 2, 'field', 100);
    h = record(h, 3, 'field', 500); // same edit: no new entry
    expect(h.past).toEqual([1, 2]);
    const back = undo(h, 4)!;
    expect(back.state).toBe(2);
    const again = redo(back.history, back.state)!;
    expect(again.state).toBe(4);
    expect(undo(emptyHistory<number>(), 0)).toBeNull();
    h = record(again.history, 4, 'field', 5000);
    expect(h.future).toEqual([]);
  });
});

describe('ids and paste', () => {
  it('derives unique identifiers', () => {
    expect(uniqueId('http-request', new Set())).toBe('http_request');
    expect(uniqueId('add', new Set(['add', 'add_2']))).toBe('add_3');
    expect(uniqueId('9lives', new Set())).toBe('n_9lives');
  });

  it('pastes under fresh ids and keeps switch routes between pasted nodes', () => {
    const doc: FlowDocument = {
      name: 'x',
      nodes: [
        { id: 'pick', kind: 'switch', cases: [{ when: 'true', to: 'add' }], ui: { x: 0, y: 0 } },
        { id: 'add', kind: 'step', plugin: 'add@^0.1', ui: { x: 0, y: 100 } },
      ],
      edges: [],
    };
    const graph = flowToGraph(doc);
    const pasted = pasteClipboard(graph, new Set(['pick', 'add']));
    expect(pasted.nodes.map((n) => n.id)).toEqual(['pick_2', 'add_2']);
    expect(pasted.nodes[1]!.position).toEqual({ x: 40, y: 140 });
    expect(pasted.nodes[1]!.data.node.id).toBe('add_2');
    expect(pasted.edges).toHaveLength(1);
    expect(pasted.edges[0]).toMatchObject({ source: 'pick_2', target: 'add_2', label: 'true', data: { role: 'case', when: 'true' } });
  });
});

describe('form validator (CSP-safe)', async () => {
  const { roughlyValid } = await import('../../src/editor/formValidator');
  it('checks types, required keys and enums enough to choose a branch', () => {
    expect(roughlyValid({ type: 'integer' }, 3)).toBe(true);
    expect(roughlyValid({ type: 'integer' }, 'x')).toBe(false);
    expect(roughlyValid({ type: 'number' }, 3)).toBe(true);
    expect(roughlyValid({ type: 'object', required: ['a'] }, {})).toBe(false);
    expect(roughlyValid({ enum: ['x', 'y'] }, 'y')).toBe(true);
    expect(roughlyValid({ const: 1 }, 2)).toBe(false);
    expect(roughlyValid({ type: 'object', properties: { n: { type: 'string' } } }, { n: 1 })).toBe(false);
    expect(roughlyValid(true, null)).toBe(true);
  });
});

describe('renameReferences', async () => {
  const { renameReferences } = await import('../../src/editor/ids');
  it('rewrites steps.<old> in every string, and nothing else', () => {
    const input = { a: '${steps.fetch.output.n}', b: ['x ${steps.fetch} y', '${steps.fetcher.output}'], c: 3, d: { e: 'steps.fetch' } };
    expect(renameReferences(input, 'fetch', 'load')).toEqual({
      a: '${steps.load.output.n}',
      b: ['x ${steps.load} y', '${steps.fetcher.output}'],
      c: 3,
      d: { e: 'steps.load' },
    });
  });
});
