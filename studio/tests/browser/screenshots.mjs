// Makes the README's pictures of the studio from a running studio (never
// edited by hand): the editor with the sample release flow, the live view of
// a finished run, and two admin pages. Writes ../docs/studio/*.png.
// Run: `npm run screenshots` in studio/ (SCENA_BIN / SCENA_STUDIO_DIR as for the journeys).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall, launchBrowser, login, newPage, repo, startServer } from './harness.mjs';

const out = join(repo, 'docs/studio');
mkdirSync(out, { recursive: true });

const server = await startServer();
const browser = await launchBrowser();
try {
  const page = await newPage(browser, { viewport: { width: 1440, height: 860 } });
  await login(page, server);
  const shoot = async (path, file) => {
    await page.goto(server.url + path);
    await page.waitForLoadState('networkidle');
    await page.waitForFunction(() => !/Loading…/.test(document.body.innerText));
    await page.screenshot({ path: join(out, file) });
    console.log(`wrote docs/studio/${file}`);
  };
  await shoot('/t/default/flows/version-release', 'editor.png');
  const run = await apiCall(server, 'POST', '/api/v1/tenants/default/flows/version-release/runs?wait_ms=10000', {
    input: { version: '1.4.2', previous_version: '1.4.1', zones: ['eu-1', 'eu-2'] },
  });
  await shoot(`/t/default/runs/${run.id}`, 'run.png');
  await apiCall(server, 'PUT', '/api/v1/tenants/default/grants', { http: ['api.example.com', '*.ops.example.com'], secrets: { 'http-request': ['RELEASE_TOKEN'] } });
  await apiCall(server, 'PUT', '/api/v1/tenants/default/secrets/RELEASE_TOKEN', { value: 'never shown' });
  await shoot('/t/default/admin/grants', 'admin-grants.png');
  await shoot('/t/default/admin/plugins', 'admin-plugins.png');
} finally {
  await browser.close();
  await server.stop();
}
