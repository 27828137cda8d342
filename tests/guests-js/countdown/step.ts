// Well-behaved test guest for `pending`: counts down across polls, logging each tick.
import { defineStep, done, log, pending, Type, type Static } from '@scena/plugin';

const Output = Type.Object({ polls: Type.Integer() });
type Left = { left: number; polls: number; every_ms: number };

function tick(state: Left) {
  log.info(`${state.left} left`);
  if (state.left === 0) return done<Static<typeof Output>>({ polls: state.polls });
  return pending({ ...state, left: state.left - 1 }, state.every_ms);
}

export default defineStep({
  name: 'countdown',
  version: '0.1.0',
  title: 'Countdown',
  description: 'Returns pending `from` times, then done.',
  capabilities: ['log'],
  input: Type.Object({ from: Type.Integer({ minimum: 0 }), every_ms: Type.Optional(Type.Integer({ minimum: 0 })) }),
  output: Output,
  run(_ctx, input) {
    return tick({ left: input.from, polls: 0, every_ms: input.every_ms ?? 0 });
  },
  poll(_ctx, state) {
    const left = state as Left;
    return tick({ ...left, polls: left.polls + 1 });
  },
});
