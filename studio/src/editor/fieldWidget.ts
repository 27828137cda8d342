// Which literal editor a field of a plugin's input schema asks for. Plugins
// ask through extension keywords on the field's own schema (schemars'
// `extend`), so the studio can offer more than a text box for values it
// knows how to look up: `"x-scena-picker": "tenant-file"` for a file of the
// tenant's Files, `"x-scena-sha256-of": "<sibling>"` for the sha256 of the
// file the sibling field names.

export type LiteralWidget =
  /** rjsf's form generated from the field's schema. */
  | { kind: 'form' }
  /** A choice among the tenant's files, by name. */
  | { kind: 'tenantFile' }
  /** rjsf's form, with a button pinning the content of the file `sibling` names. */
  | { kind: 'sha256Of'; sibling: string };

const FORM: LiteralWidget = { kind: 'form' };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether the schema's values may be strings: a picker or a pin writes a
 * string, which a field typed otherwise would refuse (no type: anything goes).
 */
function takesStrings(schema: Record<string, unknown>): boolean {
  const type = schema.type;
  if (type === undefined) return true;
  return type === 'string' || (Array.isArray(type) && type.includes('string'));
}

/** The literal editor `schema` asks for; a keyword the studio does not know, or cannot honour, leaves the form. */
export function literalWidget(schema: unknown, name?: string): LiteralWidget {
  if (!isObject(schema) || !takesStrings(schema)) return FORM;
  if (schema['x-scena-picker'] === 'tenant-file') return { kind: 'tenantFile' };
  const sibling = schema['x-scena-sha256-of'];
  // A field cannot pin its own content: it would hold a sha256, not a file's name.
  if (typeof sibling === 'string' && sibling !== '' && sibling !== name) return { kind: 'sha256Of', sibling };
  return FORM;
}

/** Whether any field of `properties` needs the tenant's files listed (to load them once for the whole form). */
export function needsTenantFiles(properties: Record<string, unknown>): boolean {
  return Object.entries(properties).some(([name, schema]) => literalWidget(schema, name).kind !== 'form');
}

/**
 * The form's field names: the schema's properties in their order (the
 * server's schemas list them by name), except that a field pinning the
 * content of a sibling comes right after that sibling, where its button
 * makes sense; then the mapping's own keys the schema does not name.
 */
export function fieldOrder(properties: Record<string, unknown>, mapped: Record<string, unknown>): string[] {
  const names = Object.keys(properties);
  const followers = new Map<string, string[]>();
  const placed = new Set<string>();
  for (const name of names) {
    const widget = literalWidget(properties[name], name);
    if (widget.kind === 'sha256Of' && widget.sibling in properties) {
      followers.set(widget.sibling, [...(followers.get(widget.sibling) ?? []), name]);
      placed.add(name);
    }
  }
  const ordered: string[] = [];
  const add = (name: string) => {
    if (ordered.includes(name)) return;
    ordered.push(name);
    for (const follower of followers.get(name) ?? []) add(follower);
  };
  for (const name of names) if (!placed.has(name)) add(name);
  // A pin whose sibling pins in turn, round in a circle, has no place yet: keep it.
  for (const name of names) add(name);
  return [...ordered, ...Object.keys(mapped).filter((key) => !(key in properties))];
}
