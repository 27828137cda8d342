// The tenant admin pages: invite a member, grant an http host, set a secret
// that never comes back, upload a plugin by dropping it (and run it), and a
// viewer who is offered none of it while the API refuses her anyway.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall, assert, login, makeMember, newPage, repo } from '../harness.mjs';

const GUESTS = join(repo, 'target/wasm32-wasip2/release');

/** Poll `check` until it returns a truthy value or `ms` pass. */
async function eventually(check, what, ms = 10_000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** No script error on the page. Chromium logs every non-2xx answer as a console error; the
 * refusals these journeys provoke (and the session probe's 401) are expected, so those are left out. */
function noPageErrors(page) {
  const errors = page.scenaErrors.filter((e) => !e.startsWith('Failed to load resource'));
  assert(errors.length === 0, `page errors: ${errors.join('\n')}`);
}

/** Open an admin page by its sub-navigation link (as a user would). */
async function openSection(page, server, name) {
  if (!page.url().includes('/admin')) {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Admin' }).click();
  }
  await page.getByRole('navigation', { name: 'Administration pages' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 2 }).first().waitFor();
}

/** Drop `file` (bytes read here) on `target` the way a browser delivers a dropped file. */
async function dropFile(page, target, path, name) {
  const bytes = [...readFileSync(path)];
  const transfer = await page.evaluateHandle(
    ([data, fileName]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], fileName, { type: 'application/wasm' }));
      return dt;
    },
    [bytes, name],
  );
  await target.dispatchEvent('dragenter', { dataTransfer: transfer });
  await target.dispatchEvent('dragover', { dataTransfer: transfer });
  await target.dispatchEvent('drop', { dataTransfer: transfer });
}

export const journeys = [
  {
    name: 'invite a member: the link is shown once and accepting it adds them',
    async run({ server, browser }) {
      const page = await newPage(browser);
      await login(page, server);
      await openSection(page, server, 'Invitations');
      await page.getByRole('combobox', { name: 'Role' }).selectOption('operator');
      await page.getByLabel('Open for (optional)').fill('2d');
      await page.getByRole('button', { name: 'Create invitation' }).click();
      const linkField = page.getByRole('textbox', { name: 'Acceptance link' });
      await linkField.waitFor();
      const link = await linkField.inputValue();
      const code = /\/api\/v1\/invitations\/([^/]+)\/accept$/.exec(new URL(link).pathname)?.[1];
      assert(code, `the link carries the code: ${link}`);
      assert(link.startsWith(server.url), `the link is on this server: ${link}`);
      // The open invitation is listed, never with its code.
      const table = page.getByRole('table', { name: 'Invitations' });
      await table.getByRole('cell', { name: 'operator' }).first().waitFor();
      assert(!(await table.innerText()).includes(code), 'the list does not show the code');

      // The invitee accepts it through the link, as a new user.
      const response = await fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ivan', password: 'ivan-password-1' }),
      });
      assert(response.status === 201, `accepting answers 201, got ${response.status}`);
      const joined = await response.json();
      assert(joined.role === 'operator' && joined.tenant === 'default', `joined as operator: ${JSON.stringify(joined)}`);
      const session = await apiCall(server, 'GET', '/api/v1/auth/session', undefined, joined.token);
      assert(session.tenants.some((t) => t.name === 'default' && t.role === 'operator'), 'ivan is an operator of default');

      // The admin sees the invitation used and the new member listed.
      await page.getByRole('button', { name: 'Done' }).click();
      assert((await linkField.count()) === 0, 'the link is gone once dismissed');
      await openSection(page, server, 'Members');
      const members = page.getByRole('table', { name: 'Joined by invitation' });
      await members.getByRole('cell', { name: 'ivan' }).waitFor();
      assert((await members.innerText()).includes('operator'), 'ivan joined as operator');

      // Change ivan's role to developer, limited to one flow, and see the API agree.
      await page.getByLabel('User name').first().fill('ivan');
      await page.getByRole('combobox', { name: 'Role' }).selectOption('developer');
      await page.getByLabel('Only these flows (optional)').fill('hello');
      await page.getByRole('button', { name: 'Set role' }).click();
      const changed = page.getByRole('table', { name: 'Changed on this page' });
      await changed.getByRole('cell', { name: 'developer' }).waitFor();
      const after = await apiCall(server, 'GET', '/api/v1/auth/session', undefined, joined.token);
      const standing = after.tenants.find((t) => t.name === 'default');
      assert(standing?.role === 'developer' && standing.flows?.join() === 'hello', `ivan's new standing: ${JSON.stringify(standing)}`);

      // A refusal shows the server's message: there is no such user.
      await page.getByLabel('User name').first().fill('nobody-here');
      await page.getByRole('button', { name: 'Set role' }).click();
      await page.getByRole('alert').filter({ hasText: 'nobody-here' }).waitFor();
      noPageErrors(page);
    },
  },
  {
    name: 'grant an http host through the grants editor (and see a refusal explained)',
    async run({ server, browser }) {
      const page = await newPage(browser);
      await login(page, server);
      await openSection(page, server, 'Grants');
      const newHost = page.getByRole('textbox', { name: 'New entry for HTTP allow-list' });
      await newHost.fill('api.example.com');
      await newHost.press('Enter');
      await page.getByRole('textbox', { name: 'New entry for HTTP allow-list' }).fill('10.0.0.0/8');
      await page.getByRole('button', { name: 'Add to HTTP allow-list' }).click();
      await page.getByRole('textbox', { name: 'HTTP allow-list, entry 2' }).waitFor();
      // A secret grant for every plugin, edited as a list too.
      await page.getByRole('button', { name: 'Add a plugin' }).click();
      await page.getByRole('textbox', { name: 'Plugin name or *' }).fill('*');
      await page.getByRole('textbox', { name: 'New entry for Secrets of *' }).fill('API_KEY');
      await page.getByRole('button', { name: 'Add to Secrets of *' }).click();
      await page.getByRole('button', { name: 'Save grants' }).click();
      await page.getByRole('status').filter({ hasText: 'Grants saved.' }).waitFor();
      const grants = await apiCall(server, 'GET', '/api/v1/tenants/default/grants');
      assert(grants.http.includes('api.example.com') && grants.http.includes('10.0.0.0/8'), `http granted: ${JSON.stringify(grants)}`);
      assert(grants.secrets['*']?.includes('API_KEY'), `secret granted: ${JSON.stringify(grants)}`);

      // An invalid network: the server refuses and the page lists its problem.
      await page.getByRole('textbox', { name: 'New entry for HTTP allow-list' }).fill('10.0.0.0/99');
      await page.getByRole('button', { name: 'Add to HTTP allow-list' }).click();
      await page.getByRole('button', { name: 'Save grants' }).click();
      await page.getByRole('alert').filter({ hasText: 'the grants have problems' }).waitFor();
      const problems = page.getByRole('list', { name: 'Problems the server found' });
      await problems.waitFor();
      assert((await problems.innerText()).includes('10.0.0.0/99'), 'the problem names the bad pattern');
      const unchanged = await apiCall(server, 'GET', '/api/v1/tenants/default/grants');
      assert(!unchanged.http.includes('10.0.0.0/99'), 'the refused grants were not stored');
      // Removing it again lets the document save.
      await page.getByRole('button', { name: 'Remove 10.0.0.0/99 from HTTP allow-list' }).click();
      assert(await page.getByRole('button', { name: 'Save grants' }).isDisabled(), 'nothing left to save');
      noPageErrors(page);
    },
  },
  {
    name: 'set a secret: its value appears nowhere in the page or any API answer afterwards',
    async run({ server, browser }) {
      const value = `s3cret-${Math.random().toString(36).slice(2)}-value`;
      const page = await newPage(browser);
      const bodies = [];
      page.on('response', async (response) => {
        if (!response.url().startsWith(server.url)) return;
        try {
          bodies.push({ url: response.url(), text: await response.text() });
        } catch {
          // A redirect or a streamed body: nothing to read.
        }
      });
      await login(page, server);
      await openSection(page, server, 'Secrets');
      await page.getByLabel('Name', { exact: true }).fill('DB_PASSWORD');
      const field = page.getByLabel('Value', { exact: true });
      assert((await field.getAttribute('type')) === 'password', 'the value is typed in a password field');
      await field.fill(value);
      await page.getByRole('button', { name: 'Set secret' }).click();
      await page.getByRole('status').filter({ hasText: 'Secret DB_PASSWORD set.' }).waitFor();
      const row = page.getByRole('table', { name: 'Secret names' }).getByRole('row').filter({ hasText: 'DB_PASSWORD' });
      await row.waitFor();
      assert((await row.innerText()).includes('admin'), 'updated by admin');
      assert((await field.inputValue()) === '', 'the value field is cleared');
      // Walk away and back: nothing brings it back.
      await openSection(page, server, 'Grants');
      await openSection(page, server, 'Secrets');
      await row.waitFor();
      const html = await page.content();
      assert(!html.includes(value), 'the value is not in the page');
      const stored = await apiCall(server, 'GET', '/api/v1/tenants/default/secrets');
      assert(stored.secrets.some((s) => s.name === 'DB_PASSWORD'), 'the API lists the name');
      await eventually(() => bodies.some((b) => b.url.endsWith('/secrets')), 'the secrets list answers');
      const leaks = bodies.filter((b) => b.text.includes(value)).map((b) => b.url);
      assert(leaks.length === 0, `the value came back in: ${leaks.join(', ')}`);
      assert(!JSON.stringify(stored).includes(value), 'the API answer has no value');

      // Deleting asks first, then the name is gone.
      await row.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await eventually(async () => (await row.count()) === 0, 'the deleted secret leaves the list');
      noPageErrors(page);
    },
  },
  {
    name: 'upload a plugin by dropping its .wasm, see it listed with its schemas, and run it in a flow',
    async run({ server, browser }) {
      const page = await newPage(browser);
      await login(page, server);
      await openSection(page, server, 'Plugins');
      const zone = page.getByTestId('plugin-drop-zone');
      // The standard echo plugin's name is taken: the server's refusal is shown.
      await dropFile(page, zone, join(GUESTS, 'echo.wasm'), 'echo.wasm');
      await page.getByRole('alert').waitFor();
      const refusal = await page.getByRole('alert').innerText();
      assert(/echo/.test(refusal), `the refusal names the plugin: ${refusal}`);
      // A test guest with its own name is taken.
      await dropFile(page, zone, join(GUESTS, 'countdown.wasm'), 'countdown.wasm');
      await page.getByRole('status').filter({ hasText: 'Uploaded countdown 0.1.0.' }).waitFor({ timeout: 30_000 });
      const row = page.getByRole('table', { name: 'Plugins of this tenant' }).locator('tr[data-plugin="countdown"]');
      await row.waitFor();
      const text = await row.innerText();
      assert(text.includes('Countdown') && text.includes('0.1.0') && text.includes('uploaded by admin'), `listed: ${text}`);
      assert(text.includes('log'), `its capabilities are shown: ${text}`);
      // Its page shows the version's schemas.
      await row.getByRole('link', { name: 'Countdown' }).click();
      await page.getByRole('heading', { name: 'Countdown', level: 2 }).waitFor();
      const input = page.getByLabel('Input schema');
      await input.waitFor();
      assert((await input.innerText()).includes('"from"'), 'the input schema names `from`');
      // Yank and restore it, each confirmed.
      await page.getByRole('button', { name: 'Yank' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('cell', { name: 'yanked' }).waitFor();
      await page.getByRole('button', { name: 'Restore' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('cell', { name: 'available' }).waitFor();
      // The uploaded plugin is usable in a flow.
      const flow = {
        name: 'count-down',
        nodes: [
          { id: 'start', kind: 'start' },
          { id: 'call', kind: 'step', plugin: 'countdown', input: { from: 1 } },
          { id: 'end', kind: 'end', output: { result: '${steps.call.output}' } },
        ],
        edges: [
          { from: 'start', to: 'call' },
          { from: 'call', to: 'end' },
        ],
      };
      await apiCall(server, 'PUT', '/api/v1/tenants/default/flows/count-down/draft', flow);
      await apiCall(server, 'POST', '/api/v1/tenants/default/flows/count-down/versions');
      const run = await apiCall(server, 'POST', '/api/v1/tenants/default/flows/count-down/runs?wait_ms=20000', { input: {} });
      assert(run.status === 'succeeded', `the run succeeded: ${JSON.stringify(run)}`);
      noPageErrors(page);
    },
  },
  {
    name: 'a viewer is offered no admin navigation nor editing, and the API refuses her grants change',
    async run({ server, browser }) {
      const vera = await makeMember(server, 'vera', 'viewer');
      const page = await newPage(browser);
      await login(page, server, vera.username, vera.password);
      const main = page.getByRole('navigation', { name: 'Main navigation' });
      await main.getByRole('link', { name: 'Flows' }).waitFor();
      assert((await main.getByRole('link', { name: 'Admin' }).count()) === 0, 'no Admin link for a viewer');
      // Even by its address, the admin area offers her only reading.
      await page.goto(`${server.url}/t/default/admin`);
      const sub = page.getByRole('navigation', { name: 'Administration pages' });
      await sub.getByRole('link', { name: 'Grants' }).waitFor();
      for (const hidden of ['Members', 'Invitations', 'Webhooks', 'Audit log']) {
        assert((await sub.getByRole('link', { name: hidden }).count()) === 0, `no ${hidden} for a viewer`);
      }
      await sub.getByRole('link', { name: 'Grants' }).click();
      await page.getByText('You may read the grants').waitFor();
      assert((await page.getByRole('button', { name: 'Save grants' }).count()) === 0, 'no save button');
      assert((await page.getByRole('textbox').count()) === 0, 'no grant fields');
      await sub.getByRole('link', { name: 'Secrets' }).click();
      await page.getByRole('heading', { name: 'Secrets', level: 2 }).waitFor();
      assert((await page.getByRole('button', { name: 'Set secret' }).count()) === 0, 'no secret form');
      await sub.getByRole('link', { name: 'Plugins' }).click();
      await page.getByRole('table', { name: 'Plugins of this tenant' }).waitFor();
      assert((await page.getByTestId('plugin-drop-zone').count()) === 0, 'no upload');
      await page.goto(`${server.url}/t/default/admin/members`);
      await page.getByRole('alert').filter({ hasText: 'Your role may not do this.' }).waitFor();

      // The API refuses her anyway.
      const { token } = await apiCall(server, 'POST', '/api/v1/auth/login', { username: vera.username, password: vera.password });
      const refused = await fetch(`${server.url}/api/v1/tenants/default/grants`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ http: ['*'], secrets: {}, hosts: [] }),
      });
      assert(refused.status === 403, `a viewer's grants change is refused with 403, got ${refused.status}`);
      const grants = await apiCall(server, 'GET', '/api/v1/tenants/default/grants');
      assert(!grants.http.includes('*'), 'the grants are unchanged');
      noPageErrors(page);
    },
  },
];
