import { describe, expect, it } from 'vitest';
import { expressionParts, firstExpressionProblem } from '../../src/editor/expressions';
import type { ExpressionCheck } from '../../src/core/core';

describe('expressionParts', () => {
  it('finds each ${…} with its line and column', () => {
    expect(expressionParts('a ${inputs.x} b\n  ${steps.s.output}', false)).toEqual([
      { source: 'inputs.x', line: 1, column: 5, closed: true },
      { source: 'steps.s.output', line: 2, column: 5, closed: true },
    ]);
    expect(expressionParts('${steps.', false)).toEqual([{ source: 'steps.', line: 1, column: 3, closed: false }]);
    expect(expressionParts('no expression', false)).toEqual([]);
  });

  it('takes a bare expression whole, with or without ${}', () => {
    expect(expressionParts('inputs.n > 1', true)).toEqual([{ source: 'inputs.n > 1', line: 1, column: 1, closed: true }]);
    expect(expressionParts('${inputs.n > 1}', true)).toEqual([{ source: 'inputs.n > 1', line: 1, column: 3, closed: true }]);
    expect(expressionParts('  ', true)).toEqual([]);
  });
});

describe('firstExpressionProblem', () => {
  const compiler = async (source: string): Promise<ExpressionCheck> =>
    source.includes('+)')
      ? { result: 'error', message: 'mismatched input', at: { line: 1, column: 4 } }
      : { result: 'ok', paths: [], steps: null };

  it('positions the compiler error in the whole text', async () => {
    expect(await firstExpressionProblem('x ${inputs.a} y ${(1+)}', false, compiler)).toEqual({
      message: 'mismatched input',
      line: 1,
      column: 19 + 3,
    });
    expect(await firstExpressionProblem('${inputs.a}', false, compiler)).toBeNull();
    expect(await firstExpressionProblem('${inputs.a', false, compiler)).toEqual({ message: '', line: 1, column: 3 });
  });
});
