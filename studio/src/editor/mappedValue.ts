// What a mapped value is: a literal, or text holding `${…}` expressions that
// the run fills in (a mapping has no other way to tell them apart).

/** Whether a mapped value is (or holds) an expression. */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.includes('${');
}
