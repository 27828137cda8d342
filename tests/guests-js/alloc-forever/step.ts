// Hostile: allocates until something stops it. The memory limit must.
import { defineStep, Type } from '@scena/plugin';

export default defineStep({
  name: 'alloc-forever',
  version: '0.1.0',
  title: 'Allocate forever',
  description: 'Grows its heap without bound.',
  input: Type.Unknown(),
  output: Type.Unknown(),
  run() {
    const hoard: Uint8Array[] = [];
    for (;;) hoard.push(new Uint8Array(1 << 20).fill(7));
  },
});
