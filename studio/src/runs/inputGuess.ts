// What a node's input most likely was, computed in the browser from its
// mapping when the API does not say: `${inputs.a.b}` and
// `${steps.x.output.y}` — plain paths only — are read from the run's input
// and the nodes' outputs. Anything else (a CEL expression proper) cannot be
// evaluated here: it is left as written, and the guess says it is incomplete.

export interface Scope {
  inputs: unknown;
  steps: Record<string, { output: unknown; error?: unknown }>;
}

const WHOLE = /^\$\{\s*([^{}]*?)\s*\}$/;
const ANY = /\$\{\s*([^{}]*?)\s*\}/g;
const PATH = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*$/;

const UNRESOLVED = Symbol('unresolved');

function readPath(path: string, scope: Scope): unknown {
  if (!PATH.test(path)) return UNRESOLVED;
  const parts = path.match(/[A-Za-z_]\w*|\[\d+\]/g) ?? [];
  let value: unknown = scope;
  for (const part of parts) {
    const key = part.startsWith('[') ? Number(part.slice(1, -1)) : part;
    if (value === null || typeof value !== 'object' || !(key in (value as object))) return UNRESOLVED;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** The mapping rendered; an expression it cannot read stays as written, and `complete` says whether any did. */
function render(template: unknown, scope: Scope, left: { count: number }): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    // A string that is exactly one expression keeps its value's JSON type.
    if (whole) {
      const value = readPath(whole[1] ?? '', scope);
      if (value !== UNRESOLVED) return value;
      left.count += 1;
      return template;
    }
    return template.replace(ANY, (written, path: string) => {
      const value = readPath(path, scope);
      if (value === UNRESOLVED) {
        left.count += 1;
        return written;
      }
      return typeof value === 'string' ? value : JSON.stringify(value);
    });
  }
  if (Array.isArray(template)) return template.map((item) => render(item, scope, left));
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, render(value, scope, left)]));
  }
  return template;
}

/**
 * The mapping rendered with `scope`: plain paths read, any other expression
 * left as written (`complete` is false then).
 */
export function guessInput(mapping: unknown, scope: Scope): { value: unknown; complete: boolean } {
  const left = { count: 0 };
  const value = render(mapping, scope, left);
  return { value, complete: left.count === 0 };
}

/** Where each batch ends (cumulative item counts), as the engine counts them (`foreach.rs`, `batch_end`). */
export function batchEnds(batches: (number | string)[], total: number): number[] {
  let end = 0;
  return batches.map((size) => {
    const n =
      typeof size === 'number'
        ? Math.min(size, total)
        : Math.min(Math.ceil((total * (parseFloat(size.replace(/%$/, '')) || 0)) / 100), total);
    end = Math.min(Math.max(end, n), total);
    return end;
  });
}
