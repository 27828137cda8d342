import { describe, expect, it } from 'vitest';
import { fileNameProblem, isTooLarge, MAX_FILE_BYTES, nameAfterPick, willReplace } from '../../src/admin/files/fileNames';
import { humanSize, shortSha } from '../../src/admin/files/fileList';

describe('file names (the server rule: letters, digits, `.`, `_`, `-`, not starting with `.`, 1–128)', () => {
  it('takes the names flows use', () => {
    for (const name of ['app-1.0.tgz', 'marker', 'a', 'A_b-c.d', 'x..y', '0', 'x'.repeat(128)]) {
      expect(fileNameProblem(name), name).toBeNull();
    }
  });

  it('refuses an empty or too long name, with its length', () => {
    expect(fileNameProblem('')).toEqual({ kind: 'length', length: 0 });
    expect(fileNameProblem('x'.repeat(129))).toEqual({ kind: 'length', length: 129 });
  });

  it('measures the length in bytes, as the server does', () => {
    // 43 × "é" is 86 bytes: within the length, refused for its characters.
    expect(fileNameProblem('é'.repeat(43))).toEqual({ kind: 'characters', characters: ['é'] });
    // 65 × "é" is 130 bytes: too long before anything else.
    expect(fileNameProblem('é'.repeat(65))).toEqual({ kind: 'length', length: 130 });
  });

  it('refuses a leading dot (hidden files, `.` and `..`)', () => {
    for (const name of ['.hidden', '.', '..']) expect(fileNameProblem(name), name).toEqual({ kind: 'leadingDot' });
  });

  it('names each character it refuses once', () => {
    expect(fileNameProblem('my file (1).txt')).toEqual({ kind: 'characters', characters: [' ', '(', ')'] });
    expect(fileNameProblem('a/b')).toEqual({ kind: 'characters', characters: ['/'] });
    expect(fileNameProblem('a%20b')).toEqual({ kind: 'characters', characters: ['%'] });
    expect(fileNameProblem('été')).toEqual({ kind: 'characters', characters: ['é'] });
  });
});

describe('uploading under a name', () => {
  it('replaces a file the list holds, by the exact name', () => {
    const existing = ['app-1.0.tgz', 'marker'];
    expect(willReplace('marker', existing)).toBe(true);
    expect(willReplace('Marker', existing)).toBe(false);
    expect(willReplace('app-1.0', existing)).toBe(false);
    expect(willReplace('marker', [])).toBe(false);
  });

  it('is refused above 64 MiB', () => {
    expect(isTooLarge(MAX_FILE_BYTES)).toBe(false);
    expect(isTooLarge(MAX_FILE_BYTES + 1)).toBe(true);
    expect(isTooLarge(0)).toBe(false);
  });

  it("takes the picked file's name unless one was typed", () => {
    expect(nameAfterPick('', null, 'app.tgz')).toBe('app.tgz');
    // The previous pick's name, untouched: the new file's name follows.
    expect(nameAfterPick('old.tgz', 'old.tgz', 'new.tgz')).toBe('new.tgz');
    // A name typed by hand stays.
    expect(nameAfterPick('release.tgz', 'old.tgz', 'new.tgz')).toBe('release.tgz');
    expect(nameAfterPick('release.tgz', null, 'new.tgz')).toBe('release.tgz');
  });
});

describe('how the list shows a file', () => {
  it('writes sizes in binary units, one decimal at most', () => {
    expect(humanSize(0, 'en')).toEqual({ amount: '0', unit: 'B' });
    expect(humanSize(12, 'en')).toEqual({ amount: '12', unit: 'B' });
    expect(humanSize(1023, 'en')).toEqual({ amount: '1,023', unit: 'B' });
    expect(humanSize(1024, 'en')).toEqual({ amount: '1', unit: 'KiB' });
    expect(humanSize(1536, 'en')).toEqual({ amount: '1.5', unit: 'KiB' });
    expect(humanSize(300_000, 'en')).toEqual({ amount: '293', unit: 'KiB' });
    expect(humanSize(MAX_FILE_BYTES, 'en')).toEqual({ amount: '64', unit: 'MiB' });
    expect(humanSize(5 * 1024 ** 3 + 1024 ** 3 / 4, 'en')).toEqual({ amount: '5.3', unit: 'GiB' });
  });

  it('moves up a unit rather than show 1,024 of one', () => {
    expect(humanSize(1024 * 1024 - 1, 'en')).toEqual({ amount: '1', unit: 'MiB' });
    expect(humanSize(1024 * 1024 - 60, 'en')).toEqual({ amount: '1,023.9', unit: 'KiB' });
  });

  it("writes the amount in the reader's language", () => {
    expect(humanSize(1536, 'de').amount).toBe('1,5');
    expect(humanSize(1536, 'zh-CN').amount).toBe('1.5');
  });

  it('keeps the biggest unit for anything larger', () => {
    expect(humanSize(2 * 1024 ** 5, 'en')).toEqual({ amount: '2,048', unit: 'TiB' });
  });

  it('shortens a sha256 to its first 12 characters', () => {
    const sha = 'a'.repeat(12) + 'b'.repeat(52);
    expect(shortSha(sha)).toBe('aaaaaaaaaaaa');
  });
});
