// What a node's input most likely was, computed in the browser from its
// mapping when the API does not say: `${inputs.a.b}` and
// `${steps.x.output.y}` — plain paths only — are read from the run's input
// and the nodes' outputs. Anything else (a CEL expression proper) cannot be
// evaluated here, and the guess gives up rather than show a wrong value.

export interface Scope {
  inputs: unknown;
  steps: Record<string, { output: unknown; error?: unknown }>;
}

const WHOLE = /^\$\{\s*([^{}]*?)\s*\}$/;
const ANY = /\$\{\s*([^{}]*?)\s*\}/g;
const PATH = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*$/;

class Unresolvable extends Error {}

function readPath(path: string, scope: Scope): unknown {
  if (!PATH.test(path)) throw new Unresolvable(path);
  const parts = path.match(/[A-Za-z_]\w*|\[\d+\]/g) ?? [];
  let value: unknown = scope;
  for (const part of parts) {
    const key = part.startsWith('[') ? Number(part.slice(1, -1)) : part;
    if (value === null || typeof value !== 'object' || !(key in (value as object))) throw new Unresolvable(path);
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function render(template: unknown, scope: Scope): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    // A string that is exactly one expression keeps its value's JSON type.
    if (whole) return readPath(whole[1] ?? '', scope);
    return template.replace(ANY, (_, path: string) => {
      const value = readPath(path, scope);
      return typeof value === 'string' ? value : JSON.stringify(value);
    });
  }
  if (Array.isArray(template)) return template.map((item) => render(item, scope));
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, render(value, scope)]));
  }
  return template;
}

/** The mapping rendered with `scope`, or `undefined` if some expression is more than a plain path. */
export function guessInput(mapping: unknown, scope: Scope): unknown {
  try {
    return render(mapping, scope);
  } catch (failure) {
    if (failure instanceof Unresolvable) return undefined;
    throw failure;
  }
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
