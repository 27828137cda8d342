// json-transform: reshape JSON between steps — pick fields, rename them, keep
// only the items that match filters — and log what was done.
//
// A sample scena step in TypeScript (see plugins/js-sdk). Build it with
// `node plugins/js-sdk/build.mjs samples/plugins/js/json-transform` or
// `plugins/polyglot.sh OUT_DIR`.
import { defineStep, done, InvalidInput, log, Type, type Static } from '@scena/plugin';

const Filter = Type.Object(
  {
    field: Type.String({ description: 'Dotted path in each item, e.g. `labels.zone`.', minLength: 1 }),
    op: Type.Union(
      ['eq', 'ne', 'in', 'not-in', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'missing'].map((op) => Type.Literal(op)),
      { description: 'How the field compares with `value`.' },
    ),
    value: Type.Optional(Type.Unknown({ description: 'What to compare with (an array for `in`/`not-in`; unused by `exists`/`missing`).' })),
  },
  { additionalProperties: false },
);

const Input = Type.Object(
  {
    data: Type.Unknown({ description: 'The JSON to reshape: an array of items, or one object.' }),
    items: Type.Optional(Type.String({ description: 'Dotted path to the array inside `data`, e.g. `hosts`.' })),
    filter: Type.Optional(Type.Array(Filter, { description: 'Keep only the items matching every filter.' })),
    pick: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Dotted paths to keep; all fields when absent.' })),
    rename: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Output field names: `{"old": "new"}` (after pick).' })),
  },
  { additionalProperties: false },
);

const Output = Type.Object({
  items: Type.Array(Type.Unknown()),
  count: Type.Integer({ minimum: 0, description: 'Items kept.' }),
  dropped: Type.Integer({ minimum: 0, description: 'Items the filters removed.' }),
});

type Item = Record<string, unknown>;

function at(value: unknown, path: string): unknown {
  let here: unknown = value;
  for (const key of path.split('.')) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Item)[key];
  }
  return here;
}

function setAt(target: Item, path: string, value: unknown): void {
  const keys = path.split('.');
  let here = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof here[key] !== 'object' || here[key] === null) here[key] = {};
    here = here[key] as Item;
  }
  here[keys[keys.length - 1]] = value;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function matches(item: unknown, f: Static<typeof Filter>): boolean {
  const v = at(item, f.field);
  switch (f.op) {
    case 'exists':
      return v !== undefined;
    case 'missing':
      return v === undefined;
    case 'eq':
      return same(v, f.value);
    case 'ne':
      return !same(v, f.value);
    case 'in':
    case 'not-in': {
      if (!Array.isArray(f.value)) throw new InvalidInput(`filter on \`${f.field}\`: \`${f.op}\` needs an array value`);
      const found = f.value.some((x) => same(x, v));
      return f.op === 'in' ? found : !found;
    }
    case 'contains':
      if (typeof v === 'string') return typeof f.value === 'string' && v.includes(f.value);
      return Array.isArray(v) && v.some((x) => same(x, f.value));
    default: {
      if (typeof v !== typeof f.value || (typeof v !== 'number' && typeof v !== 'string')) return false;
      const [a, b] = [v as number | string, f.value as number | string];
      return f.op === 'gt' ? a > b : f.op === 'gte' ? a >= b : f.op === 'lt' ? a < b : a <= b;
    }
  }
}

function reshape(item: unknown, pick: string[] | undefined, rename: Record<string, string>): unknown {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
  let out: Item = {};
  if (pick) {
    for (const path of pick) {
      const v = at(item, path);
      if (v !== undefined) setAt(out, path, v);
    }
  } else {
    out = { ...(item as Item) };
  }
  for (const [from, to] of Object.entries(rename)) {
    if (from in out) {
      const v = out[from];
      delete out[from];
      out[to] = v;
    }
  }
  return out;
}

export default defineStep({
  name: 'json-transform',
  version: '0.1.0',
  title: 'Transform JSON',
  description: 'Picks, renames and filters the fields of JSON items (e.g. hosts from a previous step). No side effects; safe to retry.',
  category: 'data',
  capabilities: ['log'],
  input: Input,
  output: Output,
  run(_ctx, input) {
    const source = input.items ? at(input.data, input.items) : input.data;
    if (source === undefined) throw new InvalidInput(`\`data\` has nothing at \`${input.items}\``);
    const list = Array.isArray(source) ? source : [source];
    const kept = list.filter((item) => (input.filter ?? []).every((f) => matches(item, f)));
    const items = kept.map((item) => reshape(item, input.pick, input.rename ?? {}));
    log.info(
      `kept ${items.length} of ${list.length} item(s)` +
        (input.pick ? `, picked ${input.pick.join(', ')}` : '') +
        (input.rename ? `, renamed ${Object.entries(input.rename).map(([a, b]) => `${a}→${b}`).join(', ')}` : ''),
    );
    return done({ items, count: items.length, dropped: list.length - items.length });
  },
});
