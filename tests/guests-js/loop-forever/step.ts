// Hostile: spins forever. The epoch deadline must stop it.
import { defineStep, Type } from '@scena/plugin';

export default defineStep({
  name: 'loop-forever',
  version: '0.1.0',
  title: 'Loop forever',
  description: 'Never returns.',
  input: Type.Unknown(),
  output: Type.Unknown(),
  run() {
    let i = 0;
    for (;;) i = (i + 1) | 0;
  },
});
