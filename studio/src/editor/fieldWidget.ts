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
