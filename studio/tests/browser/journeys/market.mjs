// The marketplace in the studio: a tenant publishes two of its flows (one
// calling an uploaded plugin that needs an HTTP host and a secret) as an
// app, with every problem of a first refused attempt listed; another tenant
// finds it in the catalog, reads its README (sanitised), consents in a dialog
// that lists exactly what will be granted, supplies the secret, installs, and
// runs the installed (read-only) flow; an upgrade asking for a new host shows
// the capability and flow diff and waits for consent; uninstall; yank. Then a
// viewer who is offered neither publishing nor installing, the pages in zh-CN
// with no missing string, and an accessibility scan of each page.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { apiCall, assert, eventually, login, makeMember, newPage, repo, serverReady } from '../harness.mjs';

const AUTHED_GET = join(repo, 'target/wasm32-wasip2/release/authed_get.wasm');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const README = [
  '# Ping tools',
  '',
  'Checks an **endpoint** with a token.',
  '',
  '<script>window.__pwned = 1</script>',
  '<img src="x" onerror="window.__pwned = 2">',
  '',
  '[a bad link](javascript:window.__pwned=3) and [a good one](https://example.com/docs)',
].join('\n');

/** An API call that answers its status and body, refusals included. */
async function answer(server, method, path, body, token = server.adminToken) {
  const response = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** An HTTP endpoint on loopback that answers with the Authorization header it got. */
async function echoAuthorization() {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(`got ${request.headers.authorization ?? 'nothing'}`));
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${server.address().port}/ping`, close: () => new Promise((done) => server.close(done)) };
}

function checkFlow(title) {
  return {
    name: 'check',
    title,
    inputs: { type: 'object', required: ['url'], properties: { url: { type: 'string', title: 'URL' } } },
    nodes: [
      { id: 'start', kind: 'start' },
      { id: 'get', kind: 'step', plugin: 'authed-get@^1', input: { url: '${inputs.url}', secret: 'API_TOKEN' } },
      { id: 'end', kind: 'end', output: { body: '${steps.get.output.body}' } },
    ],
    edges: [
      { from: 'start', to: 'get' },
      { from: 'get', to: 'end' },
    ],
  };
}

const greetFlow = {
  name: 'greet',
  nodes: [
    { id: 'start', kind: 'start' },
    { id: 'say', kind: 'step', plugin: 'echo@^0.1', input: { text: 'hello' } },
    { id: 'end', kind: 'end' },
  ],
  edges: [
    { from: 'start', to: 'say' },
    { from: 'say', to: 'end' },
  ],
};

/** The publisher tenant (`default`) with the authed-get plugin and two published flows; `blue` to install into. */
async function setScene(server) {
  const uploaded = await fetch(`${server.url}/api/v1/tenants/default/plugins`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/wasm' },
    body: readFileSync(AUTHED_GET),
  });
  assert(uploaded.status === 201, `authed-get uploaded: ${uploaded.status} ${await uploaded.text()}`);
  for (const flow of [checkFlow('Check an endpoint'), greetFlow]) {
    await apiCall(server, 'PUT', `/api/v1/tenants/default/flows/${flow.name}/draft`, flow);
    await apiCall(server, 'POST', `/api/v1/tenants/default/flows/${flow.name}/versions`);
  }
  await apiCall(server, 'POST', '/api/v1/tenants', { name: 'blue' });
  await apiCall(server, 'PUT', '/api/v1/tenants/blue/members/admin', { role: 'owner' });
}

async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${readFileSync(AXE, 'utf8')}\n;undefined`);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

async function scan(page, where, found) {
  for (const violation of await axeViolations(page)) found.push(`${where}: ${violation}`);
}

/** With MARKET_SHOTS=DIR, a picture of the page at this step (for review; nothing is compared). */
async function shot(page, name) {
  if (process.env.MARKET_SHOTS) await page.screenshot({ path: join(process.env.MARKET_SHOTS, `${name}.png`), fullPage: true });
}

function noPageErrors(page) {
  const errors = page.scenaErrors.filter((e) => !e.startsWith('Failed to load resource'));
  assert(errors.length === 0, `page errors: ${errors.join('\n')}`);
}

const MAIN_NAV = { name: 'Main navigation' };
const MARKET_NAV = { name: 'Marketplace pages' };

/** The consent list's entries as `kind:value:change`. */
async function consentRows(dialog) {
  return dialog
    .getByTestId('consent-capabilities')
    .locator('li')
    .evaluateAll((items) =>
      items.map((li) => `${li.closest('[data-kind]').dataset.kind}:${li.querySelector('code').textContent}:${li.dataset.change}`),
    );
}

export const journeys = [
  {
    name: 'publish flows as an app, find it from another tenant, consent and install, run, upgrade with the diff, uninstall, yank',
    async run({ server, browser }) {
      await serverReady(server);
      await setScene(server);
      const endpoint = await echoAuthorization();
      const violations = [];
      const pageOf = { current: null };
      try {
        const page = await newPage(browser);
        pageOf.current = page;
        await login(page, server);
        // The admin is in two tenants now; the publisher is `default`.
        await page.goto(`${server.url}/t/default/flows`);

        // Publisher: choose the flows; the atoms their plugins use are prefilled.
        await page.getByRole('navigation', MAIN_NAV).getByRole('link', { name: 'Marketplace' }).click();
        await page.getByRole('navigation', MARKET_NAV).getByRole('link', { name: 'Publish as app' }).click();
        await page.getByRole('checkbox', { name: /^check/ }).check();
        await page.getByRole('checkbox', { name: /^greet/ }).check();
        await page.getByTestId('suggested-atoms').filter({ hasText: 'http, log, secrets' }).waitFor();
        for (const atom of ['http', 'log', 'secrets']) {
          await eventually(() => page.locator(`input[name="atom-${atom}"]`).isChecked(), `${atom} prefilled`);
        }
        assert(!(await page.locator('input[name="atom-kv"]').isChecked()), 'kv is not prefilled');
        await page.getByLabel('App name').fill('ping-tools');
        await page.getByLabel('Version (semver)').fill('1.0.0');
        await page.getByLabel('Title', { exact: true }).fill('Ping tools');
        await page.getByLabel('Description').fill('Checks an endpoint with a token');
        await page.getByLabel('Categories').fill('monitoring, http');
        await page.getByLabel('Changelog of this version').fill('First version.');
        await page.getByLabel('README (Markdown)').fill(README);
        // A first try hides the secrets atom and the log atom, and lists no HTTP host yet: every problem is listed.
        await page.locator('input[name="atom-secrets"]').uncheck();
        await page.locator('input[name="atom-log"]').uncheck();
        await page.getByRole('button', { name: 'Publish', exact: true }).click();
        const problems = page.locator('.market-problems');
        await problems.waitFor();
        const listed = await problems.locator('li').allTextContents();
        assert(listed.length === 3, `every problem listed: ${listed}`);
        assert(listed.some((p) => p.includes('`secrets` atom')) && listed.some((p) => p.includes('`log` atom')), `${listed}`);
        assert(listed.some((p) => p.includes('capabilities.http is empty')), `${listed}`);
        await scan(page, 'publish (refused)', violations);
        await shot(page, 'publish-problems');
        await page.getByRole('button', { name: 'Use these' }).click();
        await page.getByLabel('HTTP hosts it may reach').fill('127.0.0.1');
        await page.getByLabel('Secrets you supply').fill('API_TOKEN');
        await page.getByRole('button', { name: 'Publish', exact: true }).click();
        await page.getByRole('status').filter({ hasText: 'Published ping-tools 1.0.0.' }).waitFor();

        // Private by default: blue sees nothing until it is public.
        assert((await answer(server, 'GET', '/api/v1/tenants/blue/market/apps/ping-tools')).status === 404, 'private at first');
        const own = page.locator('article[data-app="ping-tools"]');
        await own.getByRole('combobox', { name: 'Who sees it' }).selectOption('public');
        await own.getByRole('button', { name: 'Save' }).click();
        await own.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
        await own.getByRole('cell', { name: '1.0.0', exact: true }).waitFor();
        await scan(page, 'publish', violations);

        // Another tenant: the catalog, searched and filtered.
        await page.getByRole('combobox', { name: 'Tenant' }).selectOption('blue');
        await page.waitForURL(/\/t\/blue\/flows/);
        await page.getByRole('navigation', MAIN_NAV).getByRole('link', { name: 'Marketplace' }).click();
        const cards = page.getByRole('list', { name: 'Apps' });
        await cards.getByRole('link', { name: 'Ping tools' }).waitFor();
        await page.getByRole('searchbox', { name: 'Search apps' }).fill('nothing-like-it');
        await page.getByRole('button', { name: 'Search' }).click();
        await page.getByText('No app matches.').waitFor();
        await page.getByRole('searchbox', { name: 'Search apps' }).fill('ENDPOINT');
        await page.getByRole('button', { name: 'Search' }).click();
        await page.getByRole('combobox', { name: 'Category' }).selectOption('monitoring');
        await page.waitForURL(/category=monitoring/);
        await cards.getByRole('link', { name: 'Ping tools' }).waitFor();
        assert(page.url().includes('q=ENDPOINT'), `search kept in the URL: ${page.url()}`);
        await scan(page, 'catalog', violations);
        await shot(page, 'catalog');
        await cards.getByRole('link', { name: 'Ping tools' }).click();

        // The app's page: README rendered and sanitised, capabilities, versions.
        const readme = page.getByRole('region', { name: 'About' });
        await readme.getByRole('heading', { name: 'Ping tools' }).waitFor();
        assert((await readme.locator('strong').textContent()) === 'endpoint', 'Markdown rendered');
        assert((await readme.locator('script, [onerror]').count()) === 0, 'no script or handler survives');
        const hrefs = await readme.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
        assert(!hrefs.some((h) => h && h.startsWith('javascript:')), `no javascript: link: ${hrefs}`);
        assert(hrefs.includes('https://example.com/docs'), `the good link stays: ${hrefs}`);
        assert((await page.evaluate(() => window.__pwned)) === undefined, 'nothing ran');
        const caps = page.getByTestId('app-capabilities');
        for (const text of ['127.0.0.1', 'API_TOKEN', 'secrets']) await caps.getByText(text, { exact: true }).waitFor();
        await page.locator('li[data-version="1.0.0"]').getByText('First version.').waitFor();
        await scan(page, 'app page', violations);
        await shot(page, 'app-page');

        // Install: the consent dialog lists exactly what will be granted.
        await page.getByRole('button', { name: 'Install 1.0.0…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Install ping-tools 1.0.0' });
        await dialog.getByTestId('consent-capabilities').waitFor();
        const rows = (await consentRows(dialog)).sort();
        const expected = ['atoms:http:kept', 'atoms:log:kept', 'atoms:secrets:kept', 'http:127.0.0.1:kept', 'secrets:API_TOKEN:kept'];
        assert(JSON.stringify(rows) === JSON.stringify(expected), `exactly the capabilities: ${rows}`);
        const consent = await apiCall(server, 'GET', '/api/v1/tenants/blue/installs/ping-tools/consent');
        const fromApi = Object.entries(consent.capabilities).flatMap(([kind, values]) => values.map((v) => `${kind}:${v}:kept`)).sort();
        assert(JSON.stringify(rows) === JSON.stringify(fromApi), `the dialog shows what the API asks: ${fromApi}`);
        await dialog.getByText('ping-tools/check', { exact: true }).waitFor();
        const install = dialog.getByRole('button', { name: 'Install', exact: true });
        assert(await install.isDisabled(), 'no install before granting');
        // The secret is left for later (supplied from Installed apps below).
        assert((await dialog.getByLabel('API_TOKEN').getAttribute('type')) === 'password', 'a password field');
        await scan(page, 'consent dialog', violations);
        await shot(page, 'consent-dialog');
        await dialog.getByRole('checkbox', { name: 'I grant these to ping-tools' }).check();
        await install.click();
        await page.getByTestId('install-state').getByText('Installed here: version 1.0.0').waitFor();
        const installed = await apiCall(server, 'GET', '/api/v1/tenants/blue/installs/ping-tools');
        assert(installed.secrets_missing.join() === 'API_TOKEN', `secret still missing: ${JSON.stringify(installed)}`);

        // Installed apps: the missing secret is asked for, supplied, and never shown again.
        await page.getByRole('navigation', MARKET_NAV).getByRole('link', { name: 'Installed apps' }).click();
        const card = page.locator('article[data-app="ping-tools"]');
        const missing = card.getByTestId('secrets-missing');
        await missing.getByText('Secrets still to supply: API_TOKEN').waitFor();
        await scan(page, 'installed apps (secret missing)', violations);
        await shot(page, 'installed-secret-missing');
        await missing.getByLabel('Value of API_TOKEN').fill('tok-blue-very-secret');
        await missing.getByRole('button', { name: 'Supply' }).click();
        await card.getByText('Secrets supplied: API_TOKEN').waitFor();
        assert(!(await page.content()).includes('tok-blue-very-secret'), 'the secret is not in the page');
        const supplied = await apiCall(server, 'GET', '/api/v1/tenants/blue/installs/ping-tools');
        assert(supplied.secrets_missing.length === 0, `secret supplied: ${JSON.stringify(supplied)}`);

        // The installed flow: read-only in the editor, marked in the flows list, and it runs.
        await card.getByRole('link', { name: 'ping-tools/check', exact: true }).click();
        await page.waitForURL(/\/t\/blue\/flows\/ping-tools%2Fcheck$/);
        await page.getByTestId('installed-flow-note').waitFor();
        assert((await page.getByRole('button', { name: 'Save' }).count()) === 0, 'no save on an installed flow');
        assert((await page.getByRole('button', { name: 'Publish' }).count()) === 0, 'no publish on an installed flow');
        await page.getByRole('navigation', MAIN_NAV).getByRole('link', { name: 'Flows' }).click();
        const flowRow = page.locator('tr[data-installed="true"]', { hasText: 'ping-tools/check' });
        await flowRow.getByRole('link', { name: 'installed from ping-tools' }).waitFor();
        await page.goto(`${server.url}/t/blue/market/installed`);
        await page.getByRole('link', { name: 'Run ping-tools/check' }).click();
        await page.waitForURL(/\/flows\/ping-tools%2Fcheck\/run$/);
        await page.getByLabel(/^URL/).fill(endpoint.url);
        await page.getByRole('button', { name: 'Start the run' }).click();
        await page.waitForURL(/\/t\/blue\/runs\/[^/]+$/);
        const runId = page.url().split('/').pop();
        const run = await eventually(async () => {
          const r = await apiCall(server, 'GET', `/api/v1/tenants/blue/runs/${runId}`);
          return ['succeeded', 'failed'].includes(r.status) ? r : null;
        }, 'the run to finish', 30_000);
        assert(run.status === 'succeeded', `the installed flow ran: ${JSON.stringify(run)}`);
        assert(JSON.stringify(run.output).includes('got Bearer'), `the secret reached the host: ${JSON.stringify(run.output)}`);

        // The publisher ships 1.1.0: the flow changed and it asks for one more host.
        await apiCall(server, 'PUT', '/api/v1/tenants/default/flows/check/draft', checkFlow('Check an endpoint, v2'));
        await apiCall(server, 'POST', '/api/v1/tenants/default/flows/check/versions');
        await page.goto(`${server.url}/t/default/market/publish`);
        await page.locator('article[data-app="ping-tools"]').getByRole('button', { name: 'New version…' }).click();
        await page.getByRole('heading', { name: 'New version of ping-tools (latest 1.0.0)' }).waitFor();
        // Everything but the version and changelog comes from 1.0.0.
        assert((await page.getByLabel('App name').inputValue()) === 'ping-tools', 'name kept');
        assert((await page.getByLabel('Title', { exact: true }).inputValue()) === 'Ping tools', 'title kept');
        assert((await page.getByLabel('README (Markdown)').inputValue()) === README, 'README kept');
        assert(await page.getByRole('checkbox', { name: /^check/ }).isChecked(), 'the flows kept');
        assert((await page.getByLabel('Secrets you supply').inputValue()) === 'API_TOKEN', 'secrets kept');
        for (const atom of ['http', 'log', 'secrets']) {
          assert(await page.locator(`input[name="atom-${atom}"]`).isChecked(), `the atom ${atom} kept`);
        }
        await page.getByLabel('Version (semver)').fill('1.1.0');
        await page.getByLabel('Changelog of this version').fill('Also reaches localhost.');
        await page.getByLabel('HTTP hosts it may reach').fill('127.0.0.1\nlocalhost');
        await page.getByRole('button', { name: 'Publish', exact: true }).click();
        await page.getByRole('status').filter({ hasText: 'Published ping-tools 1.1.0.' }).waitFor();

        // Upgrade: the new host is marked, the flow diff summarised, nothing changes before consent.
        await page.goto(`${server.url}/t/blue/market/apps/ping-tools`);
        await page.getByRole('button', { name: 'Upgrade to 1.1.0…' }).click();
        const upgrade = page.getByRole('dialog', { name: 'Upgrade ping-tools from 1.0.0 to 1.1.0' });
        await upgrade.getByTestId('consent-capabilities').waitFor();
        const upgradeRows = await consentRows(upgrade);
        assert(upgradeRows.includes('http:localhost:added'), `the new host is marked: ${upgradeRows}`);
        assert(upgradeRows.filter((r) => r.endsWith(':added')).length === 1, `only it: ${upgradeRows}`);
        const added = upgrade.locator('li[data-change="added"]');
        assert((await added.getByText('new').count()) === 1, 'tagged new');
        assert(
          (await added.evaluate((li) => getComputedStyle(li).backgroundColor)) !== 'rgba(0, 0, 0, 0)',
          'the new entry is highlighted',
        );
        await upgrade.getByText('asks for more than you granted to 1.0.0').waitFor();
        const changes = upgrade.getByTestId('flow-changes');
        await changes.locator('li[data-change="changed"]', { hasText: 'ping-tools/check' }).getByText(/fields changed: title/).waitFor();
        await scan(page, 'upgrade dialog', violations);
        await shot(page, 'upgrade-dialog');
        await upgrade.getByRole('button', { name: 'Cancel' }).click();
        const still = await apiCall(server, 'GET', '/api/v1/tenants/blue/installs/ping-tools');
        assert(still.version === '1.0.0', 'the old version keeps running until consent');
        await page.getByRole('button', { name: 'Upgrade to 1.1.0…' }).click();
        await upgrade.getByTestId('consent-capabilities').waitFor();
        await upgrade.getByRole('checkbox', { name: 'I grant these to ping-tools' }).check();
        await upgrade.getByRole('button', { name: 'Upgrade', exact: true }).click();
        await page.getByTestId('install-state').getByText('Installed here: version 1.1.0').waitFor();

        // Installed apps lists the new version, the secret kept.
        await page.getByRole('navigation', MARKET_NAV).getByRole('link', { name: 'Installed apps' }).click();
        await card.locator('.market-tag', { hasText: '1.1.0' }).waitFor();
        assert((await card.getByTestId('secrets-missing').count()) === 0, 'no secret missing');
        await scan(page, 'installed apps', violations);

        // Uninstall: its flows go.
        await card.getByRole('link', { name: 'ping-tools', exact: true }).click();
        await page.getByRole('button', { name: 'Uninstall' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
        await page.getByTestId('install-state').getByText('Not installed in this tenant.').waitFor();
        const flows = await apiCall(server, 'GET', '/api/v1/tenants/blue/flows');
        assert(flows.flows.length === 0, `its flows are gone: ${JSON.stringify(flows)}`);

        // The publisher yanks 1.1.0: it is no longer offered to new installs.
        await page.getByRole('combobox', { name: 'Tenant' }).selectOption('default');
        await page.waitForURL(/\/t\/default\/flows/);
        await page.goto(`${server.url}/t/default/market/publish`);
        const versions = page.getByRole('table', { name: 'Versions of ping-tools' });
        await versions.getByRole('button', { name: 'Yank 1.1.0' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
        await versions.getByRole('button', { name: 'Restore 1.1.0' }).waitFor();
        const yanked = await answer(server, 'GET', '/api/v1/tenants/blue/installs/ping-tools/consent?version=1.1.0');
        assert(yanked.status === 409 && yanked.body.error.code === 'yanked', `yanked: ${JSON.stringify(yanked)}`);
        noPageErrors(page);
        assert(violations.length === 0, `accessibility violations:\n${violations.join('\n')}`);
      } catch (error) {
        if (process.env.MARKET_SHOTS) await pageOf.current?.screenshot({ path: `${process.env.MARKET_SHOTS}/failure.png`, fullPage: true });
        throw error;
      } finally {
        await endpoint.close();
      }
    },
  },
  {
    name: 'a viewer is offered neither publishing nor installing; the marketplace in zh-CN has no missing string',
    async run({ server, browser }) {
      await serverReady(server);
      await setScene(server);
      await apiCall(server, 'POST', '/api/v1/tenants/default/apps/from-flows', {
        name: 'greeter',
        version: '1.0.0',
        title: 'Greeter',
        readme: '# Greeter',
        flows: ['greet'],
      });
      await apiCall(server, 'PUT', '/api/v1/tenants/default/apps/greeter/visibility', { visibility: 'public' });
      const viewer = await makeMember(server, 'vera', 'viewer');
      const page = await newPage(browser);
      await login(page, server, viewer.username, viewer.password);
      await page.getByRole('navigation', MAIN_NAV).getByRole('link', { name: 'Marketplace' }).click();
      const nav = page.getByRole('navigation', MARKET_NAV);
      await nav.getByRole('link', { name: 'Installed apps' }).waitFor();
      assert((await nav.getByRole('link', { name: 'Publish as app' }).count()) === 0, 'no publishing for a viewer');
      await page.getByRole('list', { name: 'Apps' }).getByRole('link', { name: 'Greeter' }).click();
      await page.getByText('Your role may not install apps.').waitFor();
      assert((await page.getByRole('button', { name: /Install/ }).count()) === 0, 'no install button');

      // The API refuses the viewer anyway.
      const login_ = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(viewer),
      });
      const { token } = await login_.json();
      const install = await answer(server, 'POST', '/api/v1/tenants/default/installs', { app: 'greeter', accept: {} }, token);
      assert(install.status === 403, `the API refuses a viewer's install: ${JSON.stringify(install)}`);

      // zh-CN, English fallback off: every market page and the consent dialog translated.
      const zh = await newPage(browser, { language: 'zh-CN', strictI18n: true });
      await login(zh, server);
      await apiCall(server, 'PUT', '/api/v1/tenants/default/apps/greeter/visibility', { visibility: 'private', shared_with: ['blue'] });
      const missing = [];
      for (const path of ['/t/blue/market', '/t/blue/market/apps/greeter', '/t/blue/market/installed', '/t/default/market/publish']) {
        await zh.goto(server.url + path);
        await zh.locator('.market h2').first().waitFor();
        await zh.waitForLoadState('networkidle');
        if (path.endsWith('greeter')) {
          await zh.getByRole('button', { name: /安装/ }).first().click();
          await zh.getByRole('dialog').getByRole('checkbox').waitFor();
        }
        if (path.endsWith('publish')) {
          await zh.locator('input[name="flow-check"]').check();
          await zh.getByTestId('suggested-atoms').filter({ hasText: 'http' }).waitFor();
        }
        const keys = await zh.evaluate(() => [...window.__scenaMissingKeys]);
        if (keys.length > 0) missing.push(`${path}: ${keys.join(', ')}`);
      }
      assert(missing.length === 0, `untranslated strings:\n${missing.join('\n')}`);
      noPageErrors(page);
    },
  },
  {
    name: 'a flow offered as a light app: the share link, an app_user who lands there, runs it, sees their runs, and is refused the rest',
    async run({ server, browser }) {
      await serverReady(server);
      const addOne = {
        name: 'add-one',
        title: 'Add one',
        inputs: { type: 'object', required: ['n'], properties: { n: { type: 'integer', title: 'Number' } } },
        nodes: [
          { id: 'start', kind: 'start' },
          { id: 'add', kind: 'step', plugin: 'add@^0.1', input: { n: '${inputs.n}' } },
          { id: 'end', kind: 'end', output: { n: '${steps.add.output.n}' } },
        ],
        edges: [
          { from: 'start', to: 'add' },
          { from: 'add', to: 'end' },
        ],
      };
      await apiCall(server, 'PUT', '/api/v1/tenants/default/flows/add-one/draft', addOne);
      await apiCall(server, 'POST', '/api/v1/tenants/default/flows/add-one/versions');
      const user = await makeMember(server, 'ursula', 'app_user');
      const violations = [];

      // A publisher offers the flow from its editor and gets the link to share.
      const admin = await newPage(browser);
      await login(admin, server);
      await admin.goto(`${server.url}/t/default/flows/add-one`);
      const toggle = admin.getByTestId('light-app-toggle');
      await toggle.getByRole('button', { name: 'Offer as a light app', pressed: false }).click();
      const linkField = toggle.getByRole('textbox', { name: 'Light app link' });
      await linkField.waitFor();
      const link = await linkField.inputValue();
      await shot(admin, 'light-app-toggle');
      assert(link === `${server.url}/light/default/add-one`, `the share link: ${link}`);
      await toggle.getByRole('button', { name: /Copy/ }).waitFor();
      await toggle.getByText('Page title and description').click();
      await toggle.getByLabel('Description').fill('Adds one to a number.');
      await toggle.getByRole('button', { name: 'Save' }).click();
      await toggle.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      // The role can be handed out in the members page.
      await admin.goto(`${server.url}/t/default/admin/members`);
      await admin.locator('option', { hasText: 'light-app user' }).first().waitFor({ state: 'attached' });

      // The app_user logs in and lands on their light apps, not in the studio.
      const page = await newPage(browser);
      await page.goto(`${server.url}/login`);
      await page.getByLabel(/username/i).fill(user.username);
      await page.getByLabel(/password/i).fill(user.password);
      await page.getByRole('button', { name: /log in/i }).click();
      await page.waitForURL(/\/light\/default$/);
      assert((await page.getByRole('navigation', MAIN_NAV).count()) === 0, 'no studio navigation');
      await page.getByRole('heading', { name: 'Your light apps' }).waitFor();
      await scan(page, 'light apps list', violations);
      await page.getByRole('link', { name: 'Add one' }).click();
      await page.waitForURL(/\/light\/default\/add-one$/);
      await page.getByText('Adds one to a number.').waitFor();
      await page.getByText('You have not run it yet.').waitFor();
      await page.getByLabel(/^Number/).fill('41');
      await page.getByRole('button', { name: 'Start the run' }).click();
      const result = page.getByTestId('light-result');
      await result.and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 20_000 });
      const output = JSON.parse(await result.getByTestId('light-output').textContent());
      assert(output.n === 42, `the result: ${JSON.stringify(output)}`);
      const mine = page.getByRole('table', { name: 'Your past runs' });
      await mine.locator('tbody tr').first().waitFor();
      assert((await mine.locator('tbody tr').count()) === 1, 'one run of their own');
      await scan(page, 'light app', violations);
      await shot(page, 'light-app');
      await mine.getByRole('button', { name: /Show the result/ }).click();
      await result.getByTestId('light-output').waitFor();

      // The studio sends them back; the API refuses them everything else.
      await page.goto(`${server.url}/t/default/flows`);
      await page.waitForURL(/\/light\/default$/);
      const token = (
        await (
          await fetch(`${server.url}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(user),
          })
        ).json()
      ).token;
      for (const [method, path, body] of [
        ['GET', '/api/v1/tenants/default/flows'],
        ['POST', '/api/v1/tenants/default/flows/add-one/runs', { input: { n: 1 } }],
        ['GET', '/api/v1/tenants/default/runs'],
        ['GET', '/api/v1/tenants/default/market/apps'],
      ]) {
        const refused = await answer(server, method, path, body, token);
        assert(refused.status === 403, `${method} ${path} refused: ${refused.status}`);
      }

      // The share link opened before logging in leads there after it.
      const other = await newPage(browser);
      await other.goto(link);
      await other.waitForURL(/\/login$/);
      await other.getByLabel(/username/i).fill(user.username);
      await other.getByLabel(/password/i).fill(user.password);
      await other.getByRole('button', { name: /log in/i }).click();
      await other.waitForURL(/\/light\/default\/add-one$/);
      await other.getByRole('heading', { name: 'Add one' }).waitFor();

      // In zh-CN (no English fallback) the page is whole.
      const zh = await newPage(browser, { language: 'zh-CN', strictI18n: true });
      await zh.goto(`${server.url}/login`);
      await zh.getByLabel(/用户名/).fill(user.username);
      await zh.getByLabel(/密码/).fill(user.password);
      await zh.getByRole('button', { name: /登录/ }).click();
      await zh.waitForURL(/\/light\/default$/);
      await zh.goto(link);
      await zh.getByRole('table').waitFor();
      const keys = await zh.evaluate(() => [...window.__scenaMissingKeys]);
      assert(keys.length === 0, `untranslated: ${keys}`);

      // Offered no longer: the list is empty.
      await admin.goto(`${server.url}/t/default/flows/add-one`);
      await admin.getByTestId('light-app-toggle').getByRole('button', { name: 'Offer as a light app', pressed: true }).click();
      await admin.getByRole('textbox', { name: 'Light app link' }).waitFor({ state: 'detached' });
      const left = await answer(server, 'GET', '/api/v1/tenants/default/light-apps', undefined, token);
      assert(left.status === 200 && left.body.light_apps.length === 0, `nothing offered: ${JSON.stringify(left)}`);
      for (const p of [admin, page, other, zh]) noPageErrors(p);
      assert(violations.length === 0, `accessibility violations:\n${violations.join('\n')}`);
    },
  },
];
