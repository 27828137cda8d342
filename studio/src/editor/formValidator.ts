// The validator the step input forms give rjsf. Their values are mappings —
// literals or `${…}` expressions — so the forms report no errors themselves:
// the whole flow, inputs against the plugins' schemas included, is checked
// live by the server's own validator compiled to wasm, and its problems are
// shown on the node and in the problems panel. `isValid` still answers the
// question rjsf asks when choosing a `oneOf`/`anyOf` branch, with the same
// schema interpreter as the run form (ajv cannot compile under the studio's CSP).
import type { GenericObjectType, RJSFSchema, ValidationData, ValidatorType } from '@rjsf/utils';
import { checkValue } from '../ui/formValidator';

/** Whether `value` fits `schema` (to pick a branch; messages are not needed). */
export function roughlyValid(schema: unknown, value: unknown): boolean {
  if (schema === undefined) return true;
  const root = (typeof schema === 'object' && schema !== null ? schema : {}) as RJSFSchema;
  return checkValue(schema as RJSFSchema | boolean, value, root, () => '').length === 0;
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
