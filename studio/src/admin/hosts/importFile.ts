// Bulk import of hosts: which format a pasted text or a dropped file is in,
// and the bad rows the server lists when it refuses the whole file.

export type ImportFormat = 'csv' | 'json';

/** The content type the import route reads for a format. */
export const CONTENT_TYPES: Record<ImportFormat, string> = {
  csv: 'text/csv',
  json: 'application/json',
};

/**
 * The format of a file: by its name's extension when it has one of ours,
 * else by its content (a JSON array or object starts with `[` or `{`; a CSV
 * starts with its header row).
 */
export function detectFormat(text: string, fileName?: string | null): ImportFormat {
  const name = fileName?.toLowerCase() ?? '';
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.json')) return 'json';
  const first = text.replace(/^\uFEFF/, '').trimStart()[0];
  return first === '[' || first === '{' ? 'json' : 'csv';
}

/** One bad row of a refused import: its 1-based line, or 0 for the file as a whole. */
export interface ImportError {
  line: number;
  message: string;
}

/** The bad rows in a 422's details (`{"errors": [{line, message}]}`), by line; [] if it has none. */
export function importErrorsOf(details: unknown): ImportError[] {
  if (!details || typeof details !== 'object') return [];
  const errors = (details as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is { line?: unknown; message?: unknown } => !!e && typeof e === 'object')
    .map((e) => ({
      line: typeof e.line === 'number' && Number.isFinite(e.line) && e.line > 0 ? e.line : 0,
      message: typeof e.message === 'string' ? e.message : JSON.stringify(e.message ?? null),
    }))
    .sort((a, b) => a.line - b.line);
}

/** One bad row as a line of the error list ("line 3: …"; the file's own problems first, without a line). */
export function describeImportError(error: ImportError, words: { line: (n: number) => string; file: string }): string {
  return `${error.line > 0 ? words.line(error.line) : words.file}: ${error.message}`;
}

/** The name an export is saved under: `hosts-TENANT-YYYY-MM-DD.csv`. */
export function exportFileName(tenant: string, format: ImportFormat, at: Date): string {
  const day = at.toISOString().slice(0, 10);
  return `hosts-${tenant}-${day}.${format}`;
}
