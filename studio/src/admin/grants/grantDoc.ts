// The grants document (`GET/PUT …/grants`) as the editor holds it: the
// secrets map becomes ordered rows so a plugin's name can be edited like any
// other field, and every list is tidied before it goes back to the server.

/** The server's grants document. */
export interface GrantDoc {
  http: string[];
  secrets: Record<string, string[]>;
  hosts: string[];
}

/** One plugin (or `*`) and the secret names it may read. */
export interface SecretGrantRow {
  plugin: string;
  names: string[];
}

/** What the editor edits. */
export interface GrantDraft {
  http: string[];
  secrets: SecretGrantRow[];
  hosts: string[];
}

/** The editor's form of a document (fields the server left out read as empty). */
export function toDraft(doc: Partial<GrantDoc> | null | undefined): GrantDraft {
  return {
    http: [...(doc?.http ?? [])],
    hosts: [...(doc?.hosts ?? [])],
    secrets: Object.entries(doc?.secrets ?? {}).map(([plugin, names]) => ({ plugin, names: [...names] })),
  };
}

/** Trimmed, without blanks or repeats, in the order first given. */
export function tidyList(items: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of items) {
    const item = raw.trim();
    if (item === '' || seen.has(item)) continue;
    seen.add(item);
    out.push(item);
  }
  return out;
}

/**
 * The document to send. Rows naming the same plugin are merged (a map
 * cannot hold a key twice, and silently dropping one would lose grants); a
 * row without a plugin name is left out only if it names no secret either —
 * otherwise it is kept under the empty name, so the server refuses it and
 * says why instead of the grant vanishing.
 */
export function fromDraft(draft: GrantDraft): GrantDoc {
  const secrets: Record<string, string[]> = {};
  for (const row of draft.secrets) {
    const plugin = row.plugin.trim();
    const names = tidyList(row.names);
    if (plugin === '' && names.length === 0) continue;
    secrets[plugin] = tidyList([...(secrets[plugin] ?? []), ...names]);
  }
  return { http: tidyList(draft.http), secrets, hosts: tidyList(draft.hosts) };
}

/** Whether two documents grant the same (order of lists and keys aside from duplicates). */
export function sameGrants(a: GrantDoc, b: GrantDoc): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(doc: GrantDoc): GrantDoc {
  const sorted = (items: string[]) => [...tidyList(items)].sort();
  const secrets: Record<string, string[]> = {};
  for (const plugin of Object.keys(doc.secrets).sort()) secrets[plugin] = sorted(doc.secrets[plugin] ?? []);
  return { http: sorted(doc.http), secrets, hosts: sorted(doc.hosts) };
}

export type PatternKind = 'any' | 'wildcard' | 'network' | 'address' | 'host';

/**
 * What a host pattern of the allow-list means, to label it in the editor
 * (the server decides whether it is valid; this only names the intent).
 */
export function patternKind(pattern: string): PatternKind {
  const p = pattern.trim();
  if (p === '*') return 'any';
  if (p.startsWith('*.')) return 'wildcard';
  if (p.includes('/')) return 'network';
  const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(p);
  const ipv6 = p.includes(':') && /^\[?[0-9a-f:.]+\]?$/i.test(p);
  if (ipv4 || ipv6) return 'address';
  return 'host';
}

/** The problems listed in a refusal's details (`{"problems": [...]}`), if any. */
export function problemsOf(details: unknown): string[] {
  if (!details || typeof details !== 'object') return [];
  const problems = (details as { problems?: unknown }).problems;
  return Array.isArray(problems) ? problems.filter((p): p is string => typeof p === 'string') : [];
}
