// The grants document (`GET/PUT …/grants`) as the editor holds it: maps of
// plugin → names become ordered rows so a plugin's name can be edited like
// any other field, and every list is tidied before it goes back.
//
// `hosts` has two forms: a plain list of host patterns (every plugin), or
// plugin (or `*`) → label selectors (`zone=eu-1,role=game`). The editor keeps
// the form the server answered with, so it sends back what that server reads.
//
// `notify` (plugin or `*` → channel names) is edited only when the server's
// document has it: a server without notification channels would refuse the field.

export type PerPlugin = Record<string, string[]>;

/** The server's grants document. */
export interface GrantDoc {
  http: string[];
  secrets: PerPlugin;
  hosts: string[] | PerPlugin;
  notify?: PerPlugin;
}

/** One plugin (or `*`) and its names (secrets, host selectors). */
export interface PluginRow {
  plugin: string;
  names: string[];
}

export type HostsDraft = { perPlugin: false; list: string[] } | { perPlugin: true; rows: PluginRow[] };

/** What the editor edits. */
export interface GrantDraft {
  http: string[];
  secrets: PluginRow[];
  hosts: HostsDraft;
  /** null: the server has no `notify` grants. */
  notify: PluginRow[] | null;
}

function toRows(map: PerPlugin | null | undefined): PluginRow[] {
  return Object.entries(map ?? {}).map(([plugin, names]) => ({ plugin, names: [...names] }));
}

/** The editor's form of a document (fields the server left out read as empty). */
export function toDraft(doc: Partial<GrantDoc> | null | undefined): GrantDraft {
  const hosts = doc?.hosts;
  return {
    http: [...(doc?.http ?? [])],
    secrets: toRows(doc?.secrets),
    hosts:
      hosts && !Array.isArray(hosts)
        ? { perPlugin: true, rows: toRows(hosts) }
        : { perPlugin: false, list: [...(hosts ?? [])] },
    notify: doc?.notify ? toRows(doc.notify) : null,
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
 * Rows as a map. Rows naming the same plugin are merged (a map cannot hold
 * a key twice, and silently dropping one would lose grants); a row without a
 * plugin name is left out only if it names nothing either — otherwise it is
 * kept under the empty name, so the server refuses it and says why instead
 * of the grant vanishing.
 */
export function fromRows(rows: readonly PluginRow[]): PerPlugin {
  const map: PerPlugin = {};
  for (const row of rows) {
    const plugin = row.plugin.trim();
    const names = tidyList(row.names);
    if (plugin === '' && names.length === 0) continue;
    map[plugin] = tidyList([...(map[plugin] ?? []), ...names]);
  }
  return map;
}

/** The document to send. */
export function fromDraft(draft: GrantDraft): GrantDoc {
  return {
    http: tidyList(draft.http),
    secrets: fromRows(draft.secrets),
    hosts: draft.hosts.perPlugin ? fromRows(draft.hosts.rows) : tidyList(draft.hosts.list),
    ...(draft.notify ? { notify: fromRows(draft.notify) } : {}),
  };
}

/** Whether two documents grant the same (order of lists and keys and repeats aside). */
export function sameGrants(a: GrantDoc, b: GrantDoc): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(doc: GrantDoc): GrantDoc {
  const sorted = (items: readonly string[]) => [...tidyList(items)].sort();
  const map = (m: PerPlugin) => Object.fromEntries(Object.keys(m).sort().map((k) => [k, sorted(m[k] ?? [])]));
  return {
    http: sorted(doc.http),
    secrets: map(doc.secrets),
    hosts: Array.isArray(doc.hosts) ? sorted(doc.hosts) : map(doc.hosts),
    ...(doc.notify ? { notify: map(doc.notify) } : {}),
  };
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
