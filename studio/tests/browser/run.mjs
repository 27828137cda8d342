// Runs every journey in `journeys/` (or those named on the command line) in
// a real Chromium against a real `scena serve`, one fresh server per
// journey, a few at once, and exits non-zero if any fails. Each journey module exports
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
// Journeys mostly wait (on the page, on the server), so a few run at once,
// each with its own server and browser context: SCENA_JOURNEYS_AT_ONCE (3).
const atOnce = Math.max(1, Number(process.env.SCENA_JOURNEYS_AT_ONCE ?? 3));
const queue = [];
for (const file of files) {
  const { journeys } = await import(join(dir, file));
  for (const journey of journeys) queue.push({ file, journey });
}
const browser = await launchBrowser();
let failed = 0;
let passed = 0;

async function runOne({ file, journey }) {
  const started = Date.now();
  let server;
  try {
    server = await startServer(journey.server ?? {});
    await journey.run({ server, browser });
    passed += 1;
    console.log(`ok    ${file} › ${journey.name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed += 1;
    const stderr = server ? server.stderr().slice(-3000) : '(the server did not start)';
    console.log(`FAIL  ${file} › ${journey.name}\n${error?.stack ?? error}\n--- server stderr ---\n${stderr}`);
  } finally {
    await server?.stop();
  }
}

try {
  await Promise.all(
    Array.from({ length: atOnce }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await runOne(next);
    }),
  );
} finally {
  await browser.close();
}
console.log(`browser journeys: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
