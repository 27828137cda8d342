// Hostile: throws an error that is no StepError. The trap must be contained and the message kept.
import { defineStep, Type } from '@scena/plugin';

export default defineStep({
  name: 'panic',
  version: '0.1.0',
  title: 'Panic',
  description: 'Throws on every call.',
  input: Type.Unknown(),
  output: Type.Unknown(),
  run() {
    throw new Error('the plugin gave up on purpose');
  },
});
