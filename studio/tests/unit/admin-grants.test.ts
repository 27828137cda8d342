import { describe, expect, it } from 'vitest';
import {
  fromDraft,
  fromRows,
  patternKind,
  problemsOf,
  sameGrants,
  tidyList,
  toDraft,
  type GrantDraft,
} from '../../src/admin/grants/grantDoc';

const noHosts = { perPlugin: false, list: [] } as const;

describe('grant document ↔ editor draft', () => {
  const doc = { http: ['api.example.com', '*.corp.example'], secrets: { slack: ['SLACK_TOKEN'], '*': ['SHARED'] }, hosts: ['10.0.0.0/8'] };

  it('round-trips a document unchanged', () => {
    expect(fromDraft(toDraft(doc))).toEqual(doc);
  });

  it('keeps per-plugin host selectors per plugin', () => {
    const perPlugin = { http: [], secrets: {}, hosts: { '*': ['zone=eu-1'], deploy: ['id=h-17', 'zone=eu-2,role=game'] } };
    const draft = toDraft(perPlugin);
    expect(draft.hosts.perPlugin).toBe(true);
    expect(fromDraft(draft)).toEqual(perPlugin);
  });

  it('edits notify grants when the server has them, and sends them back', () => {
    const withNotify = { http: [], secrets: {}, hosts: {}, notify: { notify: ['ops', 'oncall'], '*': ['audit'] } };
    const draft = toDraft(withNotify);
    expect(draft.notify).toEqual([
      { plugin: 'notify', names: ['ops', 'oncall'] },
      { plugin: '*', names: ['audit'] },
    ]);
    expect(fromDraft(draft)).toEqual(withNotify);
    draft.notify!.push({ plugin: ' notify ', names: ['ops', ' pager '] });
    expect(fromDraft(draft).notify).toEqual({ notify: ['ops', 'oncall', 'pager'], '*': ['audit'] });
  });

  it('sends no notify field to a server whose document has none', () => {
    expect('notify' in fromDraft(toDraft(doc))).toBe(false);
    expect(toDraft({ notify: {} }).notify).toEqual([]);
    expect(fromDraft(toDraft({ notify: {} }))).toHaveProperty('notify', {});
  });

  it('compares notify grants regardless of order', () => {
    const a = { http: [], secrets: {}, hosts: {}, notify: { notify: ['b', 'a'] } };
    const b = { http: [], secrets: {}, hosts: {}, notify: { notify: ['a', 'b'] } };
    expect(sameGrants(a, b)).toBe(true);
    expect(sameGrants(a, { ...b, notify: { notify: ['a'] } })).toBe(false);
  });

  it('keeps a plain host list a list', () => {
    expect(toDraft(doc).hosts).toEqual({ perPlugin: false, list: ['10.0.0.0/8'] });
  });

  it('reads missing fields as empty', () => {
    expect(toDraft({})).toEqual({ http: [], secrets: [], hosts: noHosts, notify: null });
    expect(toDraft(null)).toEqual({ http: [], secrets: [], hosts: noHosts, notify: null });
  });

  it('does not share arrays with the document it came from', () => {
    const draft = toDraft(doc);
    draft.http.push('x.example');
    draft.secrets[0]!.names.push('OTHER');
    expect(doc.http).toHaveLength(2);
    expect(doc.secrets.slack).toEqual(['SLACK_TOKEN']);
  });

  it('trims, drops blanks and repeats from every list', () => {
    const draft: GrantDraft = {
      http: [' a.example ', '', 'a.example', 'b.example'],
      hosts: { perPlugin: false, list: ['  '] },
      secrets: [{ plugin: ' slack ', names: ['A', ' A', ''] }],
      notify: null,
    };
    expect(fromDraft(draft)).toEqual({ http: ['a.example', 'b.example'], hosts: [], secrets: { slack: ['A'] } });
  });

  it('merges two rows naming the same plugin instead of losing one', () => {
    expect(fromRows([{ plugin: 'slack', names: ['A'] }, { plugin: 'slack', names: ['B', 'A'] }])).toEqual({ slack: ['A', 'B'] });
  });

  it('leaves out an empty row but keeps names without a plugin for the server to refuse', () => {
    expect(fromRows([{ plugin: '', names: [] }])).toEqual({});
    expect(fromRows([{ plugin: ' ', names: ['KEY'] }])).toEqual({ '': ['KEY'] });
  });

  it('compares documents regardless of order', () => {
    const reordered = { http: ['*.corp.example', 'api.example.com'], secrets: { '*': ['SHARED'], slack: ['SLACK_TOKEN'] }, hosts: ['10.0.0.0/8'] };
    expect(sameGrants(doc, reordered)).toBe(true);
    expect(sameGrants(doc, { ...reordered, hosts: [] })).toBe(false);
    expect(sameGrants(doc, { ...reordered, secrets: { slack: ['SLACK_TOKEN'] } })).toBe(false);
    expect(sameGrants({ ...doc, hosts: { a: ['x=1', 'y=2'] } }, { ...doc, hosts: { a: ['y=2', 'x=1'] } })).toBe(true);
    expect(sameGrants({ ...doc, hosts: { a: ['x=1'] } }, { ...doc, hosts: { b: ['x=1'] } })).toBe(false);
  });

  it('tidyList keeps first-given order', () => {
    expect(tidyList(['b', 'a', 'b'])).toEqual(['b', 'a']);
  });
});

describe('pattern kinds', () => {
  it.each([
    ['*', 'any'],
    ['*.example.com', 'wildcard'],
    ['10.0.0.0/8', 'network'],
    ['fd00::/8', 'network'],
    ['127.0.0.1', 'address'],
    ['::1', 'address'],
    ['[fe80::1]', 'address'],
    ['api.example.com', 'host'],
    ['localhost', 'host'],
  ])('%s is %s', (pattern, kind) => {
    expect(patternKind(pattern)).toBe(kind);
  });
});

describe('problems of a refusal', () => {
  it('lists the strings under details.problems', () => {
    expect(problemsOf({ problems: ['http: bad', 3, 'hosts: worse'] })).toEqual(['http: bad', 'hosts: worse']);
  });
  it('is empty for anything else', () => {
    expect(problemsOf(null)).toEqual([]);
    expect(problemsOf({ problems: 'no' })).toEqual([]);
    expect(problemsOf('x')).toEqual([]);
  });
});
