// Pinning a file's sha256: the field naming the file must be a literal name
// of one of the tenant's files (an expression's file is only known when the
// flow runs), and its content now is what gets pinned.
import { isExpression } from './mappedValue';
import type { TenantFile } from './filePicker';

/** Why the pin cannot be taken now, or the sha256 it would set. */
export type PinState =
  | { enabled: true; sha256: string; name: string }
  | { enabled: false; reason: 'empty' | 'expression' | 'loading' | 'unavailable' }
  | { enabled: false; reason: 'missing' | 'pinned'; name: string };

/** The tenant's files as the pin sees them: the list (null until it is in), and whether it is being (re)loaded. */
export interface FilesState {
  files: readonly TenantFile[] | null;
  loading: boolean;
}

/** sha256 hex is compared ignoring case, as the server compares a pin with the file. */
function sameSha(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The file `fileValue` names among the tenant's files, when it is a literal name found there. */
export function pinnedFile(fileValue: unknown, files: readonly TenantFile[] | null): TenantFile | null {
  if (typeof fileValue !== 'string' || fileValue === '' || isExpression(fileValue) || files === null) return null;
  return files.find((file) => file.name === fileValue) ?? null;
}

/** Whether the pin button can set the sha256 (`pinned`: the field's value now) of the file `fileValue` names. */
export function pinState(fileValue: unknown, pinned: unknown, { files, loading }: FilesState): PinState {
  if (fileValue === undefined || fileValue === null || fileValue === '') return { enabled: false, reason: 'empty' };
  if (isExpression(fileValue)) return { enabled: false, reason: 'expression' };
  if (files === null) return { enabled: false, reason: loading ? 'loading' : 'unavailable' };
  const file = pinnedFile(fileValue, files);
  // A value that is not a string (JSON typed by hand) names no file either.
  if (!file) return { enabled: false, reason: 'missing', name: typeof fileValue === 'string' ? fileValue : JSON.stringify(fileValue) };
  if (typeof pinned === 'string' && sameSha(pinned, file.sha256)) return { enabled: false, reason: 'pinned', name: file.name };
  return { enabled: true, sha256: file.sha256, name: file.name };
}

/**
 * The file `fileValue` names when its content is no longer the pinned one
 * (a literal, non-empty pin that differs from the file's sha256), else null:
 * runs would refuse the file until it is pinned again or put back.
 */
export function changedSincePinned(fileValue: unknown, pinned: unknown, files: readonly TenantFile[] | null): TenantFile | null {
  if (typeof pinned !== 'string' || pinned === '' || isExpression(pinned)) return null;
  const file = pinnedFile(fileValue, files);
  return file && !sameSha(pinned, file.sha256) ? file : null;
}
