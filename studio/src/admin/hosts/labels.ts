// A host's labels as the editor holds them: ordered key/value rows (so a
// key can be typed like any field and two rows may briefly share a key),
// turned back into the map the API takes.

export type Labels = Record<string, string>;

export interface LabelRow {
  key: string;
  value: string;
}

/** The rows of a label map, by key. */
export function labelRows(labels: Labels | null | undefined): LabelRow[] {
  return Object.keys(labels ?? {})
    .sort()
    .map((key) => ({ key, value: labels![key]! }));
}

/**
 * The map to send. Blank rows are left out; a row with a value but no key is
 * kept under the empty key, so the server refuses it and says why instead of
 * the label silently vanishing. Keys and values are trimmed.
 */
export function labelMap(rows: readonly LabelRow[]): Labels {
  const map: Labels = {};
  for (const row of rows) {
    const key = row.key.trim();
    const value = row.value.trim();
    if (key === '' && value === '') continue;
    map[key] = value;
  }
  return map;
}

/** Keys given on more than one row (a map holds each once: the editor asks to fix them first). */
export function repeatedKeys(rows: readonly LabelRow[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (key === '') continue;
    if (seen.has(key)) repeated.add(key);
    seen.add(key);
  }
  return [...repeated];
}

/** The labels as `key=value` in key order (chips, and what a selector would match). */
export function labelPairs(labels: Labels | null | undefined): string[] {
  return labelRows(labels).map(({ key, value }) => `${key}=${value}`);
}
