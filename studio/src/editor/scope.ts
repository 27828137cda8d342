// What an expression in a node may read, for the expression editor's
// autocompletion: `inputs.…` from the flow's inputs schema, and
// `steps.<id>.output.…` from the nodes that run before this one (its
// ancestors in the graph, switch routes included) — and only those.
import { successorPairs, type FlowDocument } from './graph';

type Json = unknown;

/** Every node from which `nodeId` can be reached, nearest first; never `nodeId` itself. */
export function upstreamNodes(flow: Pick<FlowDocument, 'nodes' | 'edges'>, nodeId: string): string[] {
  const before = new Map<string, string[]>();
  for (const [from, to] of successorPairs(flow)) {
    const list = before.get(to) ?? [];
    list.push(from);
    before.set(to, list);
  }
  const seen = new Set<string>([nodeId]);
  const order: string[] = [];
  const queue = [nodeId];
  for (let head = 0; head < queue.length; head++) {
    for (const from of before.get(queue[head]!) ?? []) {
      if (seen.has(from)) continue;
      seen.add(from);
      order.push(from);
      queue.push(from);
    }
  }
  return order;
}

/** A tree of what an expression can name: each key with its schema (if known) and children. */
export interface ScopeEntry {
  /** A word for the completion list: the schema's type, or a kind. */
  detail?: string;
  description?: string;
  children?: Record<string, ScopeEntry>;
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeWord(schema: Record<string, Json>): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.filter((t) => typeof t === 'string').join(' | ');
  if (schema.enum) return 'enum';
  return undefined;
}

/** Follow a local `$ref` (`#/$defs/X`, `#/definitions/X`) into the root schema. */
function resolveRef(schema: Record<string, Json>, root: Json): Record<string, Json> {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  let target: Json = root;
  for (const part of ref.slice(2).split('/')) target = isObject(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return isObject(target) ? { ...target, ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref')) } : schema;
}

/** The properties a JSON Schema describes, as scope entries (a few levels deep). */
export function schemaEntry(schema: Json, depth = 0, root: Json = schema): ScopeEntry {
  if (!isObject(schema)) return {};
  // Follow local `$ref`s and a plain `allOf` of objects.
  const merged: Record<string, Json> = resolveRef(schema, root);
  if (Array.isArray(merged.allOf)) {
    const props: Record<string, Json> = {};
    for (const raw of merged.allOf) {
      const part = isObject(raw) ? resolveRef(raw, root) : raw;
      if (isObject(part) && isObject(part.properties)) Object.assign(props, part.properties);
    }
    merged.properties = { ...props, ...(isObject(merged.properties) ? merged.properties : {}) };
  }
  const entry: ScopeEntry = {};
  const detail = typeWord(merged);
  if (detail) entry.detail = detail;
  if (typeof merged.description === 'string') entry.description = merged.description;
  else if (typeof merged.title === 'string') entry.description = merged.title;
  if (depth < 6 && isObject(merged.properties)) {
    entry.children = {};
    for (const [key, sub] of Object.entries(merged.properties)) entry.children[key] = schemaEntry(sub, depth + 1, root);
  }
  return entry;
}

/**
 * The scope of expressions in node `nodeId`: `inputs` from the flow's inputs
 * schema, `steps.<id>.output` for each upstream node, with the output
 * schema `outputSchemaOf` knows for it (plugins' output schemas).
 */
export function expressionScope(
  flow: Pick<FlowDocument, 'nodes' | 'edges' | 'inputs'>,
  nodeId: string,
  outputSchemaOf: (nodeId: string) => Json | undefined,
): ScopeEntry {
  const kinds = new Map(flow.nodes.map((n) => [n.id, n.kind]));
  const steps: Record<string, ScopeEntry> = {};
  for (const id of upstreamNodes(flow, nodeId)) {
    const output = schemaEntry(outputSchemaOf(id));
    steps[id] = { detail: kinds.get(id) ?? 'node', children: { output: { ...output, detail: output.detail ?? 'output' } } };
  }
  return {
    children: {
      inputs: { ...schemaEntry(flow.inputs ?? {}), detail: 'inputs' },
      steps: { detail: 'steps', children: steps },
    },
  };
}

export interface Completion {
  label: string;
  detail?: string;
  info?: string;
}

/** The names that may follow `path` (e.g. `['steps', 'fetch']`) in the scope. */
export function completionsAt(scope: ScopeEntry, path: string[]): Completion[] {
  let entry: ScopeEntry | undefined = scope;
  for (const key of path) entry = entry?.children?.[key];
  if (!entry?.children) return [];
  return Object.entries(entry.children).map(([label, child]) => {
    const completion: Completion = { label };
    if (child.detail) completion.detail = child.detail;
    if (child.description) completion.info = child.description;
    return completion;
  });
}

/**
 * The path being typed at the end of `textBeforeCursor`, inside an open
 * `${…}` (or anywhere when `bare`): the complete segments and the partial
 * last word. Null when the cursor is not in a name.
 */
export function pathBeforeCursor(textBeforeCursor: string, bare = false): { path: string[]; word: string; from: number } | null {
  let text = textBeforeCursor;
  let offset = 0;
  if (!bare) {
    const open = text.lastIndexOf('${');
    if (open < 0 || text.indexOf('}', open) >= 0) return null;
    offset = open + 2;
    text = text.slice(offset);
  }
  const match = /([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\.?|)$/.exec(text);
  if (!match) return null;
  const typed = match[1] ?? '';
  const start = offset + (match.index ?? 0);
  // A name right after a `.` that is not ours (e.g. `x).y`) is not a scope path.
  const previous = text[(match.index ?? 0) - 1];
  if (previous === '.' || previous === ']' || previous === ')') return null;
  const parts = typed.split('.');
  const word = parts.pop() ?? '';
  return { path: parts, word, from: start + typed.length - word.length };
}

/** Parse a semantic version `a.b.c` into numbers (missing parts are 0). */
function parseVersion(text: string): number[] {
  return text
    .replace(/^[^0-9]*/, '')
    .split(/[.+-]/)
    .slice(0, 3)
    .map((part) => Number.parseInt(part, 10) || 0);
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** Whether `version` satisfies the requirement of a plugin reference (`^0.1`, `=1.2.3`, `1.2`, or none). */
export function satisfies(version: string, requirement: string | undefined): boolean {
  if (!requirement || requirement === '*') return true;
  const v = parseVersion(version);
  const op = /^[\^~=]/.exec(requirement)?.[0] ?? '^';
  const r = parseVersion(requirement);
  const parts = requirement.replace(/^[\^~=]/, '').split('.').length;
  if (op === '=') return compareVersions(v, r) === 0;
  if (compareVersions(v, r) < 0) return false;
  if (op === '~') return v[0] === r[0] && (parts < 2 || v[1] === r[1]);
  // caret: the left-most non-zero part stays.
  if (r[0] !== 0 || parts === 1) return v[0] === r[0];
  if (r[1] !== 0 || parts === 2) return v[0] === 0 && v[1] === r[1];
  return v[0] === 0 && v[1] === 0 && v[2] === r[2];
}

/** The highest of `versions` that a plugin reference `name@req` accepts. */
export function resolvePluginVersion(reference: string, listed: { name: string; version: string }[]): string | null {
  const at = reference.indexOf('@');
  const name = at < 0 ? reference : reference.slice(0, at);
  const requirement = at < 0 ? undefined : reference.slice(at + 1);
  const fits = listed.filter((p) => p.name === name && satisfies(p.version, requirement));
  fits.sort((a, b) => compareVersions(parseVersion(b.version), parseVersion(a.version)));
  return fits[0]?.version ?? null;
}

/** The reference a new step gets: `name@^major.minor`. */
export function pluginReference(name: string, version: string): string {
  const [major, minor] = parseVersion(version);
  return `${name}@^${major}.${minor}`;
}
