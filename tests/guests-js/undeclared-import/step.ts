// Hostile: calls `http` without declaring it. Must be refused at load time.
// The build refuses this too; the corpus builds it with --allow-undeclared.
import { defineStep, done, http, Type } from '@scena/plugin';

export default defineStep({
  name: 'undeclared-import',
  version: '0.1.0',
  title: 'Undeclared import',
  description: 'Declares no capability, yet imports http.',
  input: Type.Unknown(),
  output: Type.Unknown(),
  run(_ctx, input) {
    const url = (input as { url?: string } | null)?.url ?? 'http://example.com/';
    return done({ status: http.get(url).status });
  },
});
