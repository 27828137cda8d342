// Node ids: identifiers (so that `steps.<id>` works in expressions), unique
// in the flow, derived from what the node is.

/** An identifier from any name: `http-request` → `http_request`. */
export function identifierFrom(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(id)) id = `n_${id}`;
  return id.slice(0, 60) || 'node';
}

/** `base`, or `base_2`, `base_3` … whichever is not taken. */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const id = identifierFrom(base);
  if (!taken.has(id)) return id;
  for (let n = 2; ; n++) {
    const candidate = `${id}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * `value` with every `steps.<from>` reference in its strings turned into
 * `steps.<to>` (a renamed node keeps the expressions that read it working).
 */
export function renameReferences<T>(value: T, from: string, to: string): T {
  const pattern = new RegExp(`\\bsteps\\.${from.replace(/[^A-Za-z0-9_]/g, '')}\\b`, 'g');
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return item.replace(pattern, `steps.${to}`);
    if (Array.isArray(item)) return item.map(walk);
    if (item && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, walk(v)]));
    return item;
  };
  return walk(value) as T;
}
