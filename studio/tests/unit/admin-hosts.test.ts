import { describe, expect, it } from 'vitest';
import { labelMap, labelPairs, labelRows, repeatedKeys } from '../../src/admin/hosts/labels';
import { describeImportError, detectFormat, exportFileName, importErrorsOf } from '../../src/admin/hosts/importFile';

describe('label rows ↔ label map', () => {
  it('lists a map as rows by key and back', () => {
    const labels = { zone: 'eu-1', role: 'game', canary: 'yes' };
    const rows = labelRows(labels);
    expect(rows.map((r) => r.key)).toEqual(['canary', 'role', 'zone']);
    expect(labelMap(rows)).toEqual(labels);
  });

  it('reads no labels as no rows', () => {
    expect(labelRows(undefined)).toEqual([]);
    expect(labelRows(null)).toEqual([]);
    expect(labelRows({})).toEqual([]);
  });

  it('trims keys and values and leaves blank rows out', () => {
    expect(labelMap([{ key: ' zone ', value: ' eu-1 ' }, { key: '', value: '' }, { key: '  ', value: ' ' }])).toEqual({ zone: 'eu-1' });
  });

  it('keeps a value without a key, for the server to refuse and say why', () => {
    expect(labelMap([{ key: '', value: 'orphan' }])).toEqual({ '': 'orphan' });
  });

  it('keeps a key without a value (the server decides whether it may be empty)', () => {
    expect(labelMap([{ key: 'canary', value: '' }])).toEqual({ canary: '' });
  });

  it('names keys given on more than one row', () => {
    expect(repeatedKeys([{ key: 'zone', value: 'a' }, { key: ' zone', value: 'b' }, { key: 'role', value: 'c' }, { key: '', value: '' }, { key: '', value: 'x' }])).toEqual(['zone']);
    expect(repeatedKeys([{ key: 'zone', value: 'a' }])).toEqual([]);
  });

  it('shows labels as key=value chips in key order', () => {
    expect(labelPairs({ zone: 'eu-1', role: 'game' })).toEqual(['role=game', 'zone=eu-1']);
    expect(labelPairs(undefined)).toEqual([]);
  });
});

describe('import format', () => {
  it('goes by the file name first', () => {
    expect(detectFormat('[{"id":"h-1"}]', 'hosts.CSV')).toBe('csv');
    expect(detectFormat('id,hostname,ip', 'export.json')).toBe('json');
  });

  it('goes by the content otherwise', () => {
    expect(detectFormat('  \n[{"id":"h-1"}]')).toBe('json');
    expect(detectFormat('{"id":"h-1"}', 'hosts.txt')).toBe('json');
    expect(detectFormat('\uFEFF[]')).toBe('json');
    expect(detectFormat('id,hostname,ip\nh-1,a,10.0.0.1')).toBe('csv');
    expect(detectFormat('')).toBe('csv');
  });
});

describe('import errors', () => {
  const details = {
    errors: [
      { line: 4, message: 'ip `x` is not an IPv4 or IPv6 address' },
      { line: 0, message: '20001 hosts: at most 20000 per import' },
      { line: 3, message: 'id `h-1` is on line 2 too' },
    ],
  };

  it('lists every bad row by line, the whole file first', () => {
    expect(importErrorsOf(details).map((e) => e.line)).toEqual([0, 3, 4]);
  });

  it('reads nothing from details without errors', () => {
    expect(importErrorsOf(null)).toEqual([]);
    expect(importErrorsOf({ problems: ['x'] })).toEqual([]);
    expect(importErrorsOf({ errors: 'nope' })).toEqual([]);
    expect(importErrorsOf({ errors: [null, 7] })).toEqual([]);
  });

  it('keeps a row with an odd line or message rather than dropping it', () => {
    expect(importErrorsOf({ errors: [{ line: 'two', message: 'bad' }, { line: 5 }] })).toEqual([
      { line: 0, message: 'bad' },
      { line: 5, message: 'null' },
    ]);
  });

  it('writes a row as "line N: message", a file problem without a line', () => {
    const words = { line: (n: number) => `line ${n}`, file: 'the file' };
    const [file, row] = importErrorsOf(details);
    expect(describeImportError(row!, words)).toBe('line 3: id `h-1` is on line 2 too');
    expect(describeImportError(file!, words)).toBe('the file: 20001 hosts: at most 20000 per import');
  });
});

describe('export file name', () => {
  it('names the tenant, the day and the format', () => {
    expect(exportFileName('default', 'csv', new Date('2026-12-04T21:00:00Z'))).toBe('hosts-default-2026-12-04.csv');
    expect(exportFileName('ops', 'json', new Date('2026-01-02T00:00:00Z'))).toBe('hosts-ops-2026-01-02.json');
  });
});
