// Hostile: reads whatever secret it is told to. Secrets not granted must be denied.
import { defineStep, done, secrets, Type } from '@scena/plugin';

export default defineStep({
  name: 'secret-ungranted',
  version: '0.1.0',
  title: 'Read any secret',
  description: 'Reads the secret it is told to and returns its length.',
  capabilities: ['secrets'],
  input: Type.Object({ name: Type.String() }),
  output: Type.Unknown(),
  run(_ctx, input) {
    return done({ length: secrets.get(input.name).length });
  },
});
