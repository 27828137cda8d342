// A JSON Schema validator for rjsf forms that interprets the schema
// instead of compiling it. @rjsf/validator-ajv8 compiles every schema into a
// function with `new Function`, which the studio's Content-Security-Policy
// (`script-src 'self' 'wasm-unsafe-eval'`, no `unsafe-eval`) refuses — and a
// flow's inputs schema is only known at run time, so it cannot be compiled
// ahead. This covers the keywords an inputs schema uses (types, required,
// properties, items, enums, bounds, lengths, patterns, local `$ref`,
// allOf/anyOf/oneOf/not); the server validates the input fully anyway and
// its 422 is shown with its message.
import { toErrorSchema, type RJSFSchema, type RJSFValidationError, type ValidatorType } from '@rjsf/utils';

export type Translate = (key: string, options?: Record<string, unknown>) => string;

interface Problem {
  /** Where, as rjsf names it: `.zones.0` (empty for the root). */
  property: string;
  name: string;
  params: Record<string, unknown>;
  message: string;
}

type Schema = RJSFSchema | boolean;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: string, value: unknown): boolean {
  const actual = typeOf(value);
  return expected === actual || (expected === 'number' && actual === 'integer');
}

function resolveRef(ref: string, root: RJSFSchema): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let at: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!at || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at as Schema | undefined;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every problem of `value` against `schema` (undefined values are absent: only `required` minds them). */
export function checkValue(schema: Schema, value: unknown, root: RJSFSchema, t: Translate, property = '', depth = 0): Problem[] {
  if (schema === true || value === undefined) return [];
  const problems: Problem[] = [];
  const add = (name: string, params: Record<string, unknown>, at = property) =>
    problems.push({ property: at, name, params, message: t(`form.${name}`, params) });
  if (schema === false) {
    add('false', {});
    return problems;
  }
  if (depth > 40) return problems;
  if (schema.$ref) {
    const target = resolveRef(schema.$ref, root);
    if (target !== undefined) problems.push(...checkValue(target, value, root, t, property, depth + 1));
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => typeMatches(type, value))) {
      add('type', { type: types.join(' | ') });
      return problems;
    }
  }
  if (schema.enum && !schema.enum.some((option) => deepEqual(option, value))) {
    add('enum', { values: schema.enum.map((v) => JSON.stringify(v)).join(', ') });
  }
  if (schema.const !== undefined && !deepEqual(schema.const, value)) add('const', { value: JSON.stringify(schema.const) });

  if (typeof value === 'string') {
    if (schema.minLength !== undefined && [...value].length < schema.minLength) add('minLength', { limit: schema.minLength });
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) add('maxLength', { limit: schema.maxLength });
    if (schema.pattern !== undefined) {
      let matches = true;
      try {
        matches = new RegExp(schema.pattern, 'u').test(value);
      } catch {
        // A pattern JavaScript cannot read is left to the server.
      }
      if (!matches) add('pattern', { pattern: schema.pattern });
    }
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) add('minimum', { limit: schema.minimum });
    if (schema.maximum !== undefined && value > schema.maximum) add('maximum', { limit: schema.maximum });
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
      add('exclusiveMinimum', { limit: schema.exclusiveMinimum });
    }
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) {
      add('exclusiveMaximum', { limit: schema.exclusiveMaximum });
    }
    if (schema.multipleOf && Math.abs(value / schema.multipleOf - Math.round(value / schema.multipleOf)) > 1e-9) {
      add('multipleOf', { limit: schema.multipleOf });
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) add('minItems', { limit: schema.minItems });
    if (schema.maxItems !== undefined && value.length > schema.maxItems) add('maxItems', { limit: schema.maxItems });
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) add('uniqueItems', {});
    const items = schema.items;
    if (Array.isArray(items)) {
      items.forEach((item, k) => problems.push(...checkValue(item as Schema, value[k], root, t, `${property}.${k}`, depth + 1)));
    } else if (items !== undefined) {
      value.forEach((item, k) => problems.push(...checkValue(items as Schema, item, root, t, `${property}.${k}`, depth + 1)));
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (object[name] === undefined) add('required', { name }, `${property}.${name}`);
    }
    const properties = schema.properties ?? {};
    for (const [name, child] of Object.entries(properties)) {
      problems.push(...checkValue(child as Schema, object[name], root, t, `${property}.${name}`, depth + 1));
    }
    if (schema.additionalProperties !== undefined && schema.additionalProperties !== true) {
      for (const name of Object.keys(object)) {
        if (name in properties) continue;
        if (schema.additionalProperties === false) add('additionalProperties', { name }, `${property}.${name}`);
        else problems.push(...checkValue(schema.additionalProperties as Schema, object[name], root, t, `${property}.${name}`, depth + 1));
      }
    }
  }
  for (const part of schema.allOf ?? []) problems.push(...checkValue(part as Schema, value, root, t, property, depth + 1));
  if (schema.anyOf && !schema.anyOf.some((part) => checkValue(part as Schema, value, root, t, property, depth + 1).length === 0)) {
    add('anyOf', {});
  }
  if (schema.oneOf) {
    const passing = schema.oneOf.filter((part) => checkValue(part as Schema, value, root, t, property, depth + 1).length === 0);
    if (passing.length !== 1) add('oneOf', {});
  }
  if (schema.not !== undefined && checkValue(schema.not as Schema, value, root, t, property, depth + 1).length === 0) add('not', {});
  return problems;
}

function asErrors(problems: Problem[]): RJSFValidationError[] {
  return problems.map((p) => ({
    name: p.name,
    property: p.property,
    message: p.message,
    params: p.params,
    stack: `${p.property ? p.property.slice(1) + ' ' : ''}${p.message}`.trim(),
  }));
}

/** An rjsf validator over `checkValue`, with messages in the reader's language. */
export function makeFormValidator(t: Translate): ValidatorType {
  return {
    validateFormData(formData, schema, _customValidate, transformErrors, uiSchema) {
      let errors = asErrors(checkValue(schema, formData, schema, t));
      if (transformErrors) errors = transformErrors(errors, uiSchema);
      return { errors, errorSchema: toErrorSchema(errors) };
    },
    isValid(schema, formData, rootSchema) {
      return checkValue(schema, formData, rootSchema, t).length === 0;
    },
    rawValidation(schema, formData) {
      return { errors: asErrors(checkValue(schema, formData, schema, t)) as never[] };
    },
  } as ValidatorType;
}

