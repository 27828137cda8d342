// Hostile: returns megabytes of output. The output cap must refuse it.
import { defineStep, done, Type } from '@scena/plugin';

export default defineStep({
  name: 'huge-output',
  version: '0.1.0',
  title: 'Huge output',
  description: 'Returns a string of the requested size.',
  input: Type.Object({ megabytes: Type.Integer({ minimum: 0 }) }),
  output: Type.String(),
  run(_ctx, input) {
    return done('x'.repeat(input.megabytes * 1048576));
  },
});
