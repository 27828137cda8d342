import { describe, expect, it } from 'vitest';
import { fieldOrder, literalWidget, needsTenantFiles } from '../../src/editor/fieldWidget';
import { pickedValue, pickerChoices, type TenantFile } from '../../src/editor/filePicker';
import { changedSincePinned, pinState, pinnedFile } from '../../src/editor/pinState';

// The fields of push-file's input schema as schemars writes them.
const FILE = { type: 'string', description: "The name of a file uploaded to the tenant's files.", 'x-scena-picker': 'tenant-file' };
const SHA256 = { type: 'string', default: '', description: 'The sha256 the file must have (hex).', 'x-scena-sha256-of': 'file' };

const APP: TenantFile = { name: 'app.tgz', size_bytes: 1536, sha256: 'a'.repeat(64) };
const MARKER: TenantFile = { name: 'marker', size_bytes: 0, sha256: 'b'.repeat(64) };
const FILES = [APP, MARKER];

describe('the literal editor a field asks for', () => {
  it('is the picker for a tenant file, the pin for a sha256 of a sibling', () => {
    expect(literalWidget(FILE, 'file')).toEqual({ kind: 'tenantFile' });
    expect(literalWidget(SHA256, 'sha256')).toEqual({ kind: 'sha256Of', sibling: 'file' });
  });

  it('is the form for anything else', () => {
    for (const schema of [{ type: 'string' }, {}, true, false, null, undefined, 'string', [FILE]]) {
      expect(literalWidget(schema, 'x'), JSON.stringify(schema)).toEqual({ kind: 'form' });
    }
  });

  it('ignores a picker it does not know and a sibling that is no name', () => {
    expect(literalWidget({ type: 'string', 'x-scena-picker': 'host' }, 'x')).toEqual({ kind: 'form' });
    expect(literalWidget({ type: 'string', 'x-scena-sha256-of': '' }, 'x')).toEqual({ kind: 'form' });
    expect(literalWidget({ type: 'string', 'x-scena-sha256-of': 3 }, 'x')).toEqual({ kind: 'form' });
    // A field cannot hold a file's name and its sha256 at once.
    expect(literalWidget({ type: 'string', 'x-scena-sha256-of': 'sha256' }, 'sha256')).toEqual({ kind: 'form' });
  });

  it('asks only of fields that may hold a string', () => {
    expect(literalWidget({ type: ['string', 'null'], 'x-scena-picker': 'tenant-file' }, 'f')).toEqual({ kind: 'tenantFile' });
    expect(literalWidget({ 'x-scena-picker': 'tenant-file' }, 'f')).toEqual({ kind: 'tenantFile' });
    expect(literalWidget({ type: 'array', 'x-scena-picker': 'tenant-file' }, 'f')).toEqual({ kind: 'form' });
    expect(literalWidget({ type: 'integer', 'x-scena-sha256-of': 'file' }, 's')).toEqual({ kind: 'form' });
  });

  it("loads the tenant's files only for a form that has such a field", () => {
    expect(needsTenantFiles({ hosts: { type: 'array' }, file: FILE, sha256: SHA256 })).toBe(true);
    expect(needsTenantFiles({ sha256: SHA256 })).toBe(true);
    expect(needsTenantFiles({ url: { type: 'string' }, n: { type: 'integer' } })).toBe(false);
    expect(needsTenantFiles({})).toBe(false);
  });
});

describe('the tenant-file picker', () => {
  it("offers the tenant's files in the list's order, the value selected", () => {
    const { selected, choices } = pickerChoices(FILES, 'marker');
    expect(selected).toBe('marker');
    expect(choices).toEqual([
      { value: 'app.tgz', file: APP, missing: false },
      { value: 'marker', file: MARKER, missing: false },
    ]);
  });

  it('selects nothing for an absent or empty value', () => {
    for (const value of [undefined, null, '']) {
      const { selected, choices } = pickerChoices(FILES, value);
      expect(selected).toBe('');
      expect(choices.map((c) => c.value)).toEqual(['app.tgz', 'marker']);
    }
  });

  it('keeps a value naming no file first, marked missing once the list is in', () => {
    const { selected, choices } = pickerChoices(FILES, 'gone.tgz');
    expect(selected).toBe('gone.tgz');
    expect(choices[0]).toEqual({ value: 'gone.tgz', file: null, missing: true });
    expect(choices).toHaveLength(3);
    expect(pickerChoices([], 'gone.tgz').choices).toEqual([{ value: 'gone.tgz', file: null, missing: true }]);
  });

  it('keeps the value unmarked while the list loads or failed', () => {
    expect(pickerChoices(null, 'app.tgz')).toEqual({ selected: 'app.tgz', choices: [{ value: 'app.tgz', file: null, missing: false }] });
    expect(pickerChoices(null, undefined)).toEqual({ selected: '', choices: [] });
  });

  it('shows a value that is no string as its JSON', () => {
    expect(pickerChoices(FILES, 42).choices[0]).toEqual({ value: '42', file: null, missing: true });
  });

  it('compares names exactly', () => {
    expect(pickerChoices(FILES, 'App.tgz').choices[0]).toEqual({ value: 'App.tgz', file: null, missing: true });
  });

  it('clears the field with the empty option', () => {
    expect(pickedValue('')).toBeUndefined();
    expect(pickedValue('marker')).toBe('marker');
  });
});

describe('pinning the sha256 of the file a sibling names', () => {
  const loaded = { files: FILES, loading: false };

  it("sets the file's current sha256", () => {
    expect(pinState('app.tgz', '', loaded)).toEqual({ enabled: true, sha256: APP.sha256, name: 'app.tgz' });
    expect(pinState('app.tgz', undefined, loaded)).toEqual({ enabled: true, sha256: APP.sha256, name: 'app.tgz' });
    // An older pin is replaced.
    expect(pinState('app.tgz', 'c'.repeat(64), loaded)).toEqual({ enabled: true, sha256: APP.sha256, name: 'app.tgz' });
  });

  it('needs a file to pin', () => {
    for (const value of [undefined, null, '']) expect(pinState(value, '', loaded)).toEqual({ enabled: false, reason: 'empty' });
  });

  it('cannot pin a file only known when the flow runs', () => {
    expect(pinState('${inputs.file}', '', loaded)).toEqual({ enabled: false, reason: 'expression' });
    expect(pinState('app-${inputs.version}.tgz', '', loaded)).toEqual({ enabled: false, reason: 'expression' });
  });

  it('cannot pin a file the tenant does not have', () => {
    expect(pinState('gone.tgz', '', loaded)).toEqual({ enabled: false, reason: 'missing', name: 'gone.tgz' });
    expect(pinState('gone.tgz', '', { files: [], loading: false })).toEqual({ enabled: false, reason: 'missing', name: 'gone.tgz' });
    expect(pinState(7, '', loaded)).toEqual({ enabled: false, reason: 'missing', name: '7' });
  });

  it('waits for the list, and says when it could not be had', () => {
    expect(pinState('app.tgz', '', { files: null, loading: true })).toEqual({ enabled: false, reason: 'loading' });
    expect(pinState('app.tgz', '', { files: null, loading: false })).toEqual({ enabled: false, reason: 'unavailable' });
    // A reload keeps the list it had: the pin stays usable meanwhile.
    expect(pinState('app.tgz', '', { files: FILES, loading: true }).enabled).toBe(true);
  });

  it('has nothing to do when the pin is the current content (hex compared ignoring case, as the server does)', () => {
    expect(pinState('app.tgz', APP.sha256, loaded)).toEqual({ enabled: false, reason: 'pinned', name: 'app.tgz' });
    expect(pinState('app.tgz', APP.sha256.toUpperCase(), loaded)).toEqual({ enabled: false, reason: 'pinned', name: 'app.tgz' });
  });

  it('finds the pinned file by its literal name only', () => {
    expect(pinnedFile('marker', FILES)).toBe(MARKER);
    expect(pinnedFile('marker', null)).toBeNull();
    expect(pinnedFile('${x}', FILES)).toBeNull();
    expect(pinnedFile(undefined, FILES)).toBeNull();
  });
});

describe('a file changed since it was pinned', () => {
  it('is one whose sha256 is no longer the pin', () => {
    expect(changedSincePinned('app.tgz', 'c'.repeat(64), FILES)).toBe(APP);
  });

  it('is not the file the pin matches, ignoring case', () => {
    expect(changedSincePinned('app.tgz', APP.sha256, FILES)).toBeNull();
    expect(changedSincePinned('app.tgz', APP.sha256.toUpperCase(), FILES)).toBeNull();
  });

  it('is nothing without a literal pin (empty: whatever the file has now)', () => {
    for (const pin of [undefined, null, '', '${inputs.sha}', 5]) expect(changedSincePinned('app.tgz', pin, FILES), String(pin)).toBeNull();
  });

  it('is nothing when the file is not known (an expression, missing, or the list not in)', () => {
    const pin = 'c'.repeat(64);
    expect(changedSincePinned('${inputs.file}', pin, FILES)).toBeNull();
    expect(changedSincePinned('gone.tgz', pin, FILES)).toBeNull();
    expect(changedSincePinned('app.tgz', pin, null)).toBeNull();
    expect(changedSincePinned(undefined, pin, FILES)).toBeNull();
  });
});

describe('the order of the form\'s fields', () => {
  const pin = (sibling: string) => ({ type: 'string', 'x-scena-sha256-of': sibling });
  const file = { type: 'string', 'x-scena-picker': 'tenant-file' };

  it("puts a pin right after the file it pins, the rest in the schema's order", () => {
    const properties = { file, hosts: { type: 'array' }, mode: { type: 'string' }, path: { type: 'string' }, sha256: pin('file') };
    expect(fieldOrder(properties, {})).toEqual(['file', 'sha256', 'hosts', 'mode', 'path']);
  });

  it("leaves a pin of a field the schema does not have where it is", () => {
    expect(fieldOrder({ a: { type: 'string' }, sha256: pin('nowhere') }, {})).toEqual(['a', 'sha256']);
  });

  it('keeps pins of pins in a chain, and a circle of pins whole', () => {
    expect(fieldOrder({ c: pin('b'), a: file, b: pin('a') }, {})).toEqual(['a', 'b', 'c']);
    expect(fieldOrder({ x: pin('y'), y: pin('x') }, {})).toEqual(['x', 'y']);
  });

  it("adds the mapping's own keys after the schema's", () => {
    expect(fieldOrder({ file, sha256: pin('file') }, { extra: 1, file: 'a' })).toEqual(['file', 'sha256', 'extra']);
  });
});
