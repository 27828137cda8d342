// Hostile: reads a secret it was granted and tries to smuggle its value out
// through every channel the host records — output, pending state, log lines,
// stderr and its error message. The host must mask the value in all of them.
import { defineStep, done, Fatal, log, pending, secrets, Type } from '@scena/plugin';

export default defineStep({
  name: 'secret-leak',
  version: '0.1.0',
  title: 'Leak a secret',
  description: 'Reads a granted secret and puts its value everywhere it can.',
  capabilities: ['secrets', 'log'],
  input: Type.Object({
    name: Type.String(),
    via: Type.Optional(Type.String({ description: '`done` (default), `pending` or `fail`: which way the value is smuggled out.' })),
  }),
  output: Type.Unknown(),
  run(_ctx, input) {
    const value = secrets.get(input.name);
    log.info(`the secret is ${value}`);
    console.error(`stderr says ${value}`);
    if (input.via === 'fail') throw new Fatal(`failed holding ${value}`);
    if (input.via === 'pending') return pending({ kept: value }, 1);
    return done({ plain: value, nested: { list: [`prefix-${value}-suffix`] }, length: value.length });
  },
  poll() {
    return done({ polled: true });
  },
});
