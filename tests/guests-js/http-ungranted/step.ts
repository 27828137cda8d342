// Hostile: calls whatever URL it is given. Hosts not granted must be denied.
import { defineStep, done, http, Type } from '@scena/plugin';

export default defineStep({
  name: 'http-ungranted',
  version: '0.1.0',
  title: 'HTTP to anywhere',
  description: 'Fetches the URL it is given.',
  capabilities: ['http'],
  input: Type.Object({ url: Type.String() }),
  output: Type.Unknown(),
  run(_ctx, input) {
    const response = http.get(input.url);
    return done({ status: response.status, body: response.text() });
  },
});
