// The validator the input forms give rjsf. ajv (what @rjsf/validator-ajv8
// uses) compiles each schema with `new Function`, which the studio's
// Content-Security-Policy forbids (`script-src 'self' 'wasm-unsafe-eval'`,
// no 'unsafe-eval'). The forms therefore validate nothing themselves: the
// whole flow, inputs against the plugins' schemas included, is checked live
// by the server's own validator compiled to wasm, and its problems are
// shown on the node and in the problems panel. `isValid` still answers the
// structural question rjsf asks when choosing a `oneOf`/`anyOf` branch.
import type { GenericObjectType, RJSFSchema, ValidationData, ValidatorType } from '@rjsf/utils';

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** A shallow check: type, const/enum and required keys (enough to pick a branch). */
export function roughlyValid(schema: unknown, value: unknown): boolean {
  if (schema === true || schema === undefined) return true;
  if (schema === false) return false;
  if (typeof schema !== 'object' || schema === null) return true;
  const s = schema as Record<string, unknown>;
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(value)) return false;
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return false;
  const types = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? (s.type as string[]) : null;
  if (types && value !== undefined) {
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return false;
  }
  if (Array.isArray(s.required) && typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    if (!(s.required as string[]).every((key) => key in object)) return false;
  }
  if (typeOf(value) === 'object' && s.properties && typeof s.properties === 'object') {
    const object = value as Record<string, unknown>;
    for (const [key, sub] of Object.entries(s.properties as Record<string, unknown>)) {
      if (key in object && !roughlyValid(sub, object[key])) return false;
    }
  }
  return true;
}

export const formValidator: ValidatorType<unknown, RJSFSchema, GenericObjectType> = {
  validateFormData(): ValidationData<unknown> {
    return { errors: [], errorSchema: {} };
  },
  isValid(schema, formData) {
    return roughlyValid(schema, formData);
  },
  rawValidation() {
    return { errors: [] };
  },
};
