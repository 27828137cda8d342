// The audit log is read newest first in pages: each next page asks for the
// entries `before` the id of the last one shown.

export interface Identified {
  id: number;
}

/** The `before` cursor of the page after `entries`, or null if the last page was short (no more). */
export function nextCursor(entries: readonly Identified[], lastPageSize: number, limit: number): number | null {
  if (lastPageSize < limit || entries.length === 0) return null;
  return entries[entries.length - 1]!.id;
}

/** `shown` followed by `page`, without an entry twice (a page fetched again after new entries). */
export function appendPage<T extends Identified>(shown: readonly T[], page: readonly T[]): T[] {
  const seen = new Set(shown.map((entry) => entry.id));
  return [...shown, ...page.filter((entry) => !seen.has(entry.id))];
}
