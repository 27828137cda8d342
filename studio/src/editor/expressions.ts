// The `${…}` parts of a mapped string, and the first one the CEL compiler
// (the server's own, compiled to wasm) refuses, positioned in the whole text.
import { checkExpression } from '../core/core';

export interface ExpressionProblem {
  /** The compiler's message; empty for an unclosed `${`. */
  message: string;
  line: number | null;
  column: number | null;
}

/** The `${…}` parts of a template string (or the whole text when `bare`). */
export function expressionParts(
  text: string,
  bare: boolean,
): { source: string; line: number; column: number; closed: boolean }[] {
  if (bare) {
    const source = text.replace(/^\$\{([\s\S]*)\}$/, '$1');
    return text.trim() ? [{ source, line: 1, column: source === text ? 1 : 3, closed: true }] : [];
  }
  const parts: { source: string; line: number; column: number; closed: boolean }[] = [];
  const pattern = /\$\{([^}]*)\}?/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const before = text.slice(0, match.index + 2);
    const lines = before.split('\n');
    parts.push({
      source: match[1] ?? '',
      line: lines.length,
      column: (lines[lines.length - 1]?.length ?? 0) + 1,
      closed: match[0].endsWith('}'),
    });
  }
  return parts;
}

/** The first compile error among a string's expressions, positioned in the whole text. */
export async function firstExpressionProblem(
  text: string,
  bare: boolean,
  check: typeof checkExpression = checkExpression,
): Promise<ExpressionProblem | null> {
  const parts = expressionParts(text, bare);
  for (const part of parts) {
    if (!part.closed) return { message: '', line: part.line, column: part.column };
    const answer = await check(part.source);
    if (answer.result === 'error') {
      const at = answer.at;
      return {
        message: answer.message,
        line: at ? part.line + at.line - 1 : part.line,
        column: at ? (at.line === 1 ? part.column + at.column - 1 : at.column) : part.column,
      };
    }
  }
  return null;
}
