// The tenant's files (`push-file` places them on hosts): the server's rule
// for their names (`file_name_problem` in `runtime/src/store/files.rs`), its
// upload limit, and what an upload under a name will do.

/** A file name has at most this many characters (ASCII only, so bytes and characters agree). */
export const MAX_FILE_NAME = 128;

/** The largest upload the server takes (`MAX_FILE_BYTES`, 64 MiB). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Why a name is not a file's, for the message shown (the server says it in its own words too). */
export type FileNameProblem =
  | { kind: 'length'; length: number }
  | { kind: 'leadingDot' }
  | { kind: 'characters'; characters: string[] };

const ALLOWED = /^[A-Za-z0-9._-]$/;

/**
 * Why `name` is refused by the server, or `null` if it is a file's name:
 * 1 to 128 bytes, letters, digits, `.`, `_` and `-` only, not starting with `.`.
 * The length is checked first, as the server does.
 */
export function fileNameProblem(name: string): FileNameProblem | null {
  const length = new TextEncoder().encode(name).length;
  if (length === 0 || length > MAX_FILE_NAME) return { kind: 'length', length };
  if (name.startsWith('.')) return { kind: 'leadingDot' };
  const characters = [...new Set([...name].filter((c) => !ALLOWED.test(c)))];
  return characters.length > 0 ? { kind: 'characters', characters } : null;
}

/** Whether uploading under `name` replaces a file the list shows (names are compared exactly). */
export function willReplace(name: string, existing: readonly string[]): boolean {
  return existing.includes(name);
}

/** Whether a picked file is larger than the server takes. */
export function isTooLarge(size: number): boolean {
  return size > MAX_FILE_BYTES;
}

/**
 * The name field after a file is picked: the picked file's name, unless the
 * field holds a name typed by hand (neither empty nor the previous file's name).
 */
export function nameAfterPick(current: string, previous: string | null, picked: string): string {
  return current === '' || current === previous ? picked : current;
}
