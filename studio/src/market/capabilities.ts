// What an app may touch, as the API describes it (`Capabilities`), and the
// small pieces of logic the marketplace pages show it with: the consent
// list's rows, an upgrade's capability diff, and the atoms a publisher's
// chosen flows need (from the plugins their steps call).
import { resolvePluginVersion } from '../editor/scope';

export const KINDS = ['http', 'secrets', 'hosts', 'notify', 'atoms'] as const;
export type Kind = (typeof KINDS)[number];

export type Capabilities = Record<Kind, string[]>;

/** The atoms a plugin may import (`runtime`'s WIT world). */
export const ATOMS = ['log', 'kv', 'secrets', 'http', 'cmdb', 'job', 'notify'] as const;

export function emptyCapabilities(): Capabilities {
  return { http: [], secrets: [], hosts: [], notify: [], atoms: [] };
}

/** A capabilities object from the API (any field may be missing) with every list present and sorted. */
export function normalise(value: Partial<Record<Kind, string[]>> | null | undefined): Capabilities {
  const out = emptyCapabilities();
  for (const kind of KINDS) out[kind] = [...new Set(value?.[kind] ?? [])].sort();
  return out;
}

export function isEmpty(capabilities: Capabilities): boolean {
  return KINDS.every((kind) => capabilities[kind].length === 0);
}

/** One line of a consent list: what, and whether an upgrade adds, keeps or drops it. */
export interface CapabilityRow {
  kind: Kind;
  value: string;
  change: 'added' | 'kept' | 'removed';
}

/**
 * The rows to show for `capabilities` (what will be granted). With an
 * upgrade's `added` and `removed`, each row says whether it is new, and
 * what the new version no longer asks is listed as removed.
 */
export function capabilityRows(
  capabilities: Capabilities,
  diff?: { added: Capabilities; removed: Capabilities } | null,
): CapabilityRow[] {
  const rows: CapabilityRow[] = [];
  for (const kind of KINDS) {
    const added = new Set(diff?.added[kind] ?? []);
    for (const value of capabilities[kind]) {
      rows.push({ kind, value, change: diff && added.has(value) ? 'added' : 'kept' });
    }
    for (const value of diff?.removed[kind] ?? []) {
      if (!capabilities[kind].includes(value)) rows.push({ kind, value, change: 'removed' });
    }
  }
  return rows;
}

/** An upgrade as `GET …/installs/{app}/consent` describes it (the schema leaves it open). */
export interface Upgrade {
  from: string;
  capabilities: { added: Capabilities; removed: Capabilities };
  needs_consent: boolean;
  flows: FlowChange[];
}

export interface FlowChange {
  flow: string;
  change: 'added' | 'changed' | 'removed';
  diff?: {
    flow?: { field: string }[];
    nodes_added?: string[];
    nodes_removed?: string[];
    nodes_changed?: { id: string; fields?: { field: string }[] }[];
    edges_added?: unknown[];
    edges_removed?: unknown[];
  };
}

/** The upgrade of a consent answer, read defensively (null for a first install). */
export function readUpgrade(value: unknown): Upgrade | null {
  if (!value || typeof value !== 'object') return null;
  const raw = value as Record<string, unknown>;
  const caps = (raw.capabilities ?? {}) as { added?: Partial<Capabilities>; removed?: Partial<Capabilities> };
  return {
    from: String(raw.from ?? ''),
    capabilities: { added: normalise(caps.added), removed: normalise(caps.removed) },
    needs_consent: raw.needs_consent === true,
    flows: Array.isArray(raw.flows) ? (raw.flows as FlowChange[]) : [],
  };
}

/** Counts that summarise how a flow changes in an upgrade. */
export interface FlowChangeSummary {
  fields: string[];
  nodesAdded: string[];
  nodesRemoved: string[];
  nodesChanged: string[];
  edgesAdded: number;
  edgesRemoved: number;
}

export function summariseFlowChange(change: FlowChange): FlowChangeSummary {
  const diff = change.diff ?? {};
  return {
    fields: (diff.flow ?? []).map((f) => f.field),
    nodesAdded: diff.nodes_added ?? [],
    nodesRemoved: diff.nodes_removed ?? [],
    nodesChanged: (diff.nodes_changed ?? []).map((n) => n.id),
    edgesAdded: diff.edges_added?.length ?? 0,
    edgesRemoved: diff.edges_removed?.length ?? 0,
  };
}

interface FlowLike {
  nodes?: { kind?: string; plugin?: string; body?: { plugin?: string } }[];
}

/** Every plugin reference (`name@req`) a flow's steps and foreach/batch bodies call. */
export function pluginReferences(flow: FlowLike): string[] {
  const found = new Set<string>();
  for (const node of flow.nodes ?? []) {
    if (node.kind === 'step' && node.plugin) found.add(node.plugin);
    if ((node.kind === 'foreach' || node.kind === 'batch') && node.body?.plugin) found.add(node.body.plugin);
  }
  return [...found].sort();
}

export interface ListedPlugin {
  name: string;
  version: string;
  capabilities: string[];
}

/**
 * The atoms the given flows need: the capabilities of the plugin versions
 * their references resolve to among `listed` (as the server resolves them).
 * References that resolve to nothing are returned too, to be shown.
 */
export function atomsOfFlows(flows: FlowLike[], listed: ListedPlugin[]): { atoms: string[]; unresolved: string[] } {
  const atoms = new Set<string>();
  const unresolved = new Set<string>();
  for (const flow of flows) {
    for (const reference of pluginReferences(flow)) {
      const version = resolvePluginVersion(reference, listed);
      const plugin = version === null ? undefined : listed.find((p) => p.name === reference.split('@')[0] && p.version === version);
      if (!plugin) unresolved.add(reference);
      else for (const capability of plugin.capabilities) atoms.add(capability);
    }
  }
  return { atoms: [...atoms].sort(), unresolved: [...unresolved].sort() };
}

/** A list typed as text (commas, spaces or new lines between entries), without blanks or repeats. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s !== ''))];
}

/** The problems of an `invalid_app` refusal (`error.details.problems`), or none. */
export function problemsOf(details: unknown): string[] {
  if (!details || typeof details !== 'object') return [];
  const problems = (details as { problems?: unknown }).problems;
  return Array.isArray(problems) ? problems.map(String) : [];
}
