import { describe, expect, it } from 'vitest';
import type { RJSFSchema } from '@rjsf/utils';
import { checkValue, makeFormValidator } from '../../src/ui/formValidator';

const t = (key: string, options?: Record<string, unknown>) => `${key} ${JSON.stringify(options ?? {})}`;
const schema: RJSFSchema = {
  type: 'object',
  required: ['version', 'zones'],
  properties: {
    version: { type: 'string', pattern: '^\\d+\\.\\d+$' },
    zones: { type: 'array', items: { type: 'string', minLength: 2 }, minItems: 1 },
    count: { type: 'integer', minimum: 1, maximum: 10 },
    mode: { enum: ['fast', 'safe'] },
    target: { $ref: '#/$defs/target' },
  },
  $defs: { target: { type: 'object', required: ['host'], properties: { host: { type: 'string' } } } },
};

describe('the run form validator (no code generation, so the CSP holds)', () => {
  it('accepts a valid input', () => {
    expect(checkValue(schema, { version: '1.2', zones: ['eu'], count: 3, mode: 'safe', target: { host: 'h' } }, schema, t)).toEqual([]);
  });
  it('names each problem where rjsf shows it', () => {
    const problems = checkValue(schema, { version: 'x', zones: ['e'], count: 2.5, mode: 'slow', target: {} }, schema, t);
    expect(problems.map((p) => [p.property, p.name])).toEqual([
      ['.version', 'pattern'],
      ['.zones.0', 'minLength'],
      ['.count', 'type'],
      ['.mode', 'enum'],
      ['.target.host', 'required'],
    ]);
  });
  it('reports missing required fields and an empty list', () => {
    const problems = checkValue(schema, { zones: [] }, schema, t);
    expect(problems.map((p) => [p.property, p.name])).toEqual([
      ['.version', 'required'],
      ['.zones', 'minItems'],
    ]);
  });
  it('answers rjsf with an error schema', () => {
    const validator = makeFormValidator(t);
    const { errors, errorSchema } = validator.validateFormData({ zones: ['eu'] }, schema);
    expect(errors).toHaveLength(1);
    expect(errorSchema).toMatchObject({ version: { __errors: [expect.stringContaining('form.required')] } });
    expect(validator.isValid(schema, { version: '1.0', zones: ['eu'] }, schema)).toBe(true);
  });
  it('handles anyOf, oneOf and not', () => {
    const s: RJSFSchema = { anyOf: [{ type: 'string' }, { type: 'integer' }] };
    expect(checkValue(s, 3, s, t)).toEqual([]);
    expect(checkValue(s, true, s, t).map((p) => p.name)).toEqual(['anyOf']);
    const one: RJSFSchema = { oneOf: [{ type: 'number' }, { type: 'integer' }] };
    expect(checkValue(one, 3, one, t).map((p) => p.name)).toEqual(['oneOf']);
    const not: RJSFSchema = { not: { const: 'x' } };
    expect(checkValue(not, 'x', not, t).map((p) => p.name)).toEqual(['not']);
  });
});
