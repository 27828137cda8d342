// Small display helpers shared by the runs pages.

/** A duration in words a person reads at a glance: 850 ms, 12.3 s, 4 min 05 s. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** An instant in the reader's locale and zone. */
export function formatInstant(value: string | number | null | undefined, language: string): string {
  if (value === null || value === undefined || value === '') return '–';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(language, { dateStyle: 'short', timeStyle: 'medium' });
}

/** JSON as people read it; `undefined` shows as nothing. */
export function pretty(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, null, 2);
}

/** A `datetime-local` field's value as an RFC 3339 instant (the API's `since`/`before`). */
export function localToInstant(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
