import { describe, expect, it } from 'vitest';
import { fromDraft, patternKind, problemsOf, sameGrants, tidyList, toDraft } from '../../src/admin/grants/grantDoc';

describe('grant document ↔ editor draft', () => {
  const doc = { http: ['api.example.com', '*.corp.example'], secrets: { slack: ['SLACK_TOKEN'], '*': ['SHARED'] }, hosts: ['10.0.0.0/8'] };

  it('round-trips a document unchanged', () => {
    expect(fromDraft(toDraft(doc))).toEqual(doc);
  });

  it('reads missing fields as empty', () => {
    expect(toDraft({})).toEqual({ http: [], secrets: [], hosts: [] });
    expect(toDraft(null)).toEqual({ http: [], secrets: [], hosts: [] });
  });

  it('does not share arrays with the document it came from', () => {
    const draft = toDraft(doc);
    draft.http.push('x.example');
    draft.secrets[0]!.names.push('OTHER');
    expect(doc.http).toHaveLength(2);
    expect(doc.secrets.slack).toEqual(['SLACK_TOKEN']);
  });

  it('trims, drops blanks and repeats from every list', () => {
    const draft = { http: [' a.example ', '', 'a.example', 'b.example'], hosts: ['  '], secrets: [{ plugin: ' slack ', names: ['A', ' A', ''] }] };
    expect(fromDraft(draft)).toEqual({ http: ['a.example', 'b.example'], hosts: [], secrets: { slack: ['A'] } });
  });

  it('merges two rows naming the same plugin instead of losing one', () => {
    const draft = { http: [], hosts: [], secrets: [{ plugin: 'slack', names: ['A'] }, { plugin: 'slack', names: ['B', 'A'] }] };
    expect(fromDraft(draft).secrets).toEqual({ slack: ['A', 'B'] });
  });

  it('leaves out an empty row but keeps names without a plugin for the server to refuse', () => {
    expect(fromDraft({ http: [], hosts: [], secrets: [{ plugin: '', names: [] }] }).secrets).toEqual({});
    expect(fromDraft({ http: [], hosts: [], secrets: [{ plugin: ' ', names: ['KEY'] }] }).secrets).toEqual({ '': ['KEY'] });
  });

  it('compares documents regardless of order', () => {
    const reordered = { http: ['*.corp.example', 'api.example.com'], secrets: { '*': ['SHARED'], slack: ['SLACK_TOKEN'] }, hosts: ['10.0.0.0/8'] };
    expect(sameGrants(doc, reordered)).toBe(true);
    expect(sameGrants(doc, { ...reordered, hosts: [] })).toBe(false);
    expect(sameGrants(doc, { ...reordered, secrets: { slack: ['SLACK_TOKEN'] } })).toBe(false);
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
