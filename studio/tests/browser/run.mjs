// Runs every journey in `journeys/` (or those named on the command line) in
// a real Chromium against a real `scena serve`, one fresh server per
// journey, and exits non-zero if any fails. Each journey module exports
// `journeys`: [{ name, run({ server, browser }) }].
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { launchBrowser, startServer } from './harness.mjs';

const dir = fileURLToPath(new URL('./journeys/', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const browser = await launchBrowser();
let failed = 0;
let passed = 0;
try {
  for (const file of files) {
    const { journeys } = await import(join(dir, file));
    for (const journey of journeys) {
      const server = await startServer(journey.server ?? {});
      const started = Date.now();
      try {
        await journey.run({ server, browser });
        passed += 1;
        console.log(`ok    ${file} › ${journey.name} (${Date.now() - started} ms)`);
      } catch (error) {
        failed += 1;
        console.log(`FAIL  ${file} › ${journey.name}\n${error?.stack ?? error}\n--- server stderr ---\n${server.stderr().slice(-3000)}`);
      } finally {
        await server.stop();
      }
    }
  }
} finally {
  await browser.close();
}
console.log(`browser journeys: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
