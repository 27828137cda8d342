import { describe, expect, it } from 'vitest';
import { appOfFlow } from '../../src/market/installedFlow';
import {
  atomsOfFlows,
  capabilityRows,
  normalise,
  pluginReferences,
  problemsOf,
  readUpgrade,
  splitList,
  summariseFlowChange,
} from '../../src/market/capabilities';

describe('capability rows (the consent list)', () => {
  it('lists every entry by kind, HTTP hosts first and atoms last', () => {
    const rows = capabilityRows(normalise({ atoms: ['log', 'http'], http: ['api.example.com'], secrets: ['TOKEN'] }));
    expect(rows.map((r) => `${r.kind}:${r.value}:${r.change}`)).toEqual([
      'http:api.example.com:kept',
      'secrets:TOKEN:kept',
      'atoms:http:kept',
      'atoms:log:kept',
    ]);
  });

  it('marks what an upgrade adds, and lists what it no longer asks as removed', () => {
    const now = normalise({ atoms: ['http', 'log'], http: ['127.0.0.1', 'localhost'] });
    const diff = {
      added: normalise({ http: ['localhost'] }),
      removed: normalise({ atoms: ['secrets'], secrets: ['OLD'] }),
    };
    const rows = capabilityRows(now, diff);
    expect(rows.filter((r) => r.change === 'added').map((r) => r.value)).toEqual(['localhost']);
    expect(rows.filter((r) => r.change === 'removed').map((r) => `${r.kind}:${r.value}`)).toEqual(['secrets:OLD', 'atoms:secrets']);
    expect(rows.find((r) => r.value === '127.0.0.1')?.change).toBe('kept');
  });

  it('normalises what the API leaves out, sorted and without repeats', () => {
    expect(normalise({ http: ['b', 'a', 'b'] })).toEqual({ http: ['a', 'b'], secrets: [], hosts: [], notify: [], atoms: [] });
    expect(normalise(null).atoms).toEqual([]);
  });
});

describe('upgrades', () => {
  it('reads the consent answer\'s upgrade, or null for a first install', () => {
    expect(readUpgrade(null)).toBeNull();
    const upgrade = readUpgrade({
      from: '1.0.0',
      capabilities: { added: { http: ['localhost'] }, removed: {} },
      needs_consent: true,
      flows: [{ flow: 'app/check', change: 'changed', diff: { flow: [{ field: 'title' }], nodes_added: ['n2'] } }],
    });
    expect(upgrade?.from).toBe('1.0.0');
    expect(upgrade?.needs_consent).toBe(true);
    expect(upgrade?.capabilities.added.http).toEqual(['localhost']);
    expect(upgrade?.capabilities.removed.atoms).toEqual([]);
    expect(summariseFlowChange(upgrade!.flows[0]!)).toEqual({
      fields: ['title'],
      nodesAdded: ['n2'],
      nodesRemoved: [],
      nodesChanged: [],
      edgesAdded: 0,
      edgesRemoved: 0,
    });
  });

  it('summarises a flow added or removed (no diff) as nothing inside', () => {
    expect(summariseFlowChange({ flow: 'app/new', change: 'added' }).nodesAdded).toEqual([]);
  });
});

describe('atoms of the chosen flows', () => {
  const listed = [
    { name: 'authed-get', version: '1.0.0', capabilities: ['log', 'secrets', 'http'] },
    { name: 'authed-get', version: '2.0.0', capabilities: ['log', 'secrets', 'http', 'kv'] },
    { name: 'echo', version: '0.1.0', capabilities: [] },
    { name: 'notify', version: '0.1.0', capabilities: ['notify'] },
  ];

  it('collects steps and foreach/batch bodies', () => {
    const flow = {
      nodes: [
        { kind: 'start' },
        { kind: 'step', plugin: 'echo@^0.1' },
        { kind: 'foreach', body: { plugin: 'notify@^0.1' } },
        { kind: 'subflow' },
      ],
    };
    expect(pluginReferences(flow)).toEqual(['echo@^0.1', 'notify@^0.1']);
  });

  it('resolves each reference as the server does (the highest version it accepts) and unions their capabilities', () => {
    const one = { nodes: [{ kind: 'step', plugin: 'authed-get@^1' }] };
    const two = { nodes: [{ kind: 'step', plugin: 'echo@^0.1' }, { kind: 'batch', body: { plugin: 'notify@^0.1' } }] };
    expect(atomsOfFlows([one, two], listed)).toEqual({ atoms: ['http', 'log', 'notify', 'secrets'], unresolved: [] });
    expect(atomsOfFlows([{ nodes: [{ kind: 'step', plugin: 'authed-get@^2' }] }], listed).atoms).toContain('kv');
  });

  it('names the references nothing resolves', () => {
    expect(atomsOfFlows([{ nodes: [{ kind: 'step', plugin: 'missing@^1' }] }], listed)).toEqual({ atoms: [], unresolved: ['missing@^1'] });
  });
});

describe('small readers', () => {
  it('splits typed lists', () => {
    expect(splitList(' a, b\nc  a ')).toEqual(['a', 'b', 'c']);
    expect(splitList('  ')).toEqual([]);
  });

  it('reads every problem of an invalid_app refusal', () => {
    expect(problemsOf({ problems: ['one', 'two'] })).toEqual(['one', 'two']);
    expect(problemsOf(null)).toEqual([]);
    expect(problemsOf({ other: 1 })).toEqual([]);
  });

  it('knows an installed flow by its APP/ prefix', () => {
    expect(appOfFlow('ping-tools/check')).toBe('ping-tools');
    expect(appOfFlow('check')).toBeNull();
  });
});
