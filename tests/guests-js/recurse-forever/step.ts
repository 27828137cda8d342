// Hostile: recurses without bound. The wasm stack limit (or the engine's own
// guard, SpiderMonkey's "too much recursion") must stop it.
import { defineStep, Type } from '@scena/plugin';

function descend(depth: number): number {
  return descend(depth + 1) ^ depth;
}

export default defineStep({
  name: 'recurse-forever',
  version: '0.1.0',
  title: 'Recurse forever',
  description: 'Overflows its stack.',
  input: Type.Unknown(),
  output: Type.Unknown(),
  run() {
    return { kind: 'done', output: descend(0) };
  },
});
