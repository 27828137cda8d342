// The hostile corpus of `tests/guests/` (Rust) in one JS component: the
// input's `act` names the behaviour. One component, not nine, because each
// carries a whole engine (SpiderMonkey, about 12 MB) that the host compiles
// natively once per component; `undeclared-import` stays apart, as it is
// built with another flag.
import { defineStep, done, Fatal, http, log, pending, secrets, Type, type Outcome, type Static } from '@scena/plugin';

const ACT_NAMES = [
  'loop-forever',
  'alloc-forever',
  'recurse-forever',
  'panic',
  'huge-output',
  'http-ungranted',
  'secret-ungranted',
  'secret-leak',
  'countdown',
] as const;

const Input = Type.Object({
  act: Type.Union(ACT_NAMES.map((name) => Type.Literal(name))),
  megabytes: Type.Optional(Type.Integer({ minimum: 0 })),
  url: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  via: Type.Optional(Type.String({ description: 'secret-leak: `done` (default), `pending` or `fail`: which way the value is smuggled out.' })),
  from: Type.Optional(Type.Integer({ minimum: 0 })),
  every_ms: Type.Optional(Type.Integer({ minimum: 0 })),
});
type Input = Static<typeof Input>;
type Left = { left: number; polls: number; every_ms: number };

function tick(state: Left) {
  log.info(`${state.left} left`);
  if (state.left === 0) return done({ polls: state.polls });
  return pending({ ...state, left: state.left - 1 }, state.every_ms);
}

// SpiderMonkey stops this itself ("too much recursion") before the wasm stack runs out.
function descend(depth: number): number {
  return descend(depth + 1) ^ depth;
}

const ACTS: Record<(typeof ACT_NAMES)[number], (input: Input) => Outcome<unknown>> = {
  'loop-forever': () => {
    let i = 0;
    for (;;) i = (i + 1) | 0;
  },
  'alloc-forever': () => {
    const hoard: Uint8Array[] = [];
    for (;;) hoard.push(new Uint8Array(1 << 20).fill(7));
  },
  'recurse-forever': () => done(descend(0)),
  panic: () => {
    throw new Error('the plugin gave up on purpose');
  },
  'huge-output': (input) => done('x'.repeat((input.megabytes ?? 0) * 1048576)),
  'http-ungranted': (input) => {
    const response = http.get(input.url ?? '');
    return done({ status: response.status, body: response.text() });
  },
  'secret-ungranted': (input) => done({ length: secrets.get(input.name ?? '').length }),
  // Reads a granted secret and tries to smuggle its value out through every
  // channel the host records; the host must mask it in all of them.
  'secret-leak': (input) => {
    const value = secrets.get(input.name ?? '');
    log.info(`the secret is ${value}`);
    console.error(`stderr says ${value}`);
    if (input.via === 'fail') throw new Fatal(`failed holding ${value}`);
    if (input.via === 'pending') return pending({ kept: value }, 1);
    return done({ plain: value, nested: { list: [`prefix-${value}-suffix`] }, length: value.length });
  },
  // Well-behaved: returns pending `from` times, then done, logging each tick.
  countdown: (input) => tick({ left: input.from ?? 0, polls: 0, every_ms: input.every_ms ?? 0 }),
};

export default defineStep({
  name: 'hostile',
  version: '0.1.0',
  title: 'Hostile corpus',
  description: "Does what its input's `act` names, most of it hostile.",
  capabilities: ['http', 'secrets', 'log'],
  input: Input,
  output: Type.Unknown(),
  run(_ctx, input) {
    return ACTS[input.act](input);
  },
  poll(_ctx, state) {
    if (state !== null && typeof state === 'object' && 'kept' in state) return done({ polled: true });
    const left = state as Left;
    return tick({ ...left, polls: left.polls + 1 });
  },
});
