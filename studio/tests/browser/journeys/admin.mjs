// The tenant admin pages: invite a member and change roles in the members
// table, grant an http host, set a secret that never comes back, upload a
// plugin by dropping it (and run it), keep the host inventory (import with
// every bad line listed, filter, edit, export), add a notification channel
// whose URL never comes back and grant it, and a viewer who is offered none
// of it while the API refuses her anyway; enrol a real agent with a token
// shown once beside the command to run, and revoke it; upload, replace (said
// before), download and delete the files push-file places on hosts.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiCall, assert, eventually, login, makeMember, newPage, repo, scenaBinary, serverReady } from '../harness.mjs';

const GUESTS = join(repo, 'target/wasm32-wasip2/release');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SECTIONS = {
  members: 'Members',
  invitations: 'Invitations',
  tokens: 'API tokens',
  grants: 'Grants',
  secrets: 'Secrets',
  channels: 'Channels',
  hosts: 'Inventory',
  agents: 'Agents',
  files: 'Files',
  plugins: 'Plugins',
  webhooks: 'Webhooks',
  schedules: 'Schedules',
  audit: 'Audit log',
};

/** A flow with nothing but a start and an end, published through the API. */
async function publishEmptyFlow(server, name) {
  const flow = {
    name,
    nodes: [
      { id: 'start', kind: 'start' },
      { id: 'end', kind: 'end' },
    ],
    edges: [{ from: 'start', to: 'end' }],
  };
  await apiCall(server, 'PUT', `/api/v1/tenants/default/flows/${name}/draft`, flow);
  await apiCall(server, 'POST', `/api/v1/tenants/default/flows/${name}/versions`);
}

/** axe-core's serious and critical violations on the page as it is now. */
async function axeViolations(page) {
  // Evaluated through the debugging protocol: the server's CSP (script-src 'self') refuses an injected <script>.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${readFileSync(AXE, 'utf8')}\n;undefined`);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found;
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

/** Drop a text file (made here) on `target`, as a browser delivers a dropped file. */
async function dropText(page, target, text, name, type) {
  const transfer = await page.evaluateHandle(
    ([content, fileName, media]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([content], fileName, { type: media }));
      return dt;
    },
    [text, name, type],
  );
  for (const event of ['dragenter', 'dragover', 'drop']) await target.dispatchEvent(event, { dataTransfer: transfer });
}

/** Every answer of this server the page receives, with its body where it has one. */
function recordAnswers(page, server) {
  const bodies = [];
  page.on('response', async (response) => {
    if (!response.url().startsWith(server.url)) return;
    try {
      bodies.push({ url: response.url(), text: await response.text() });
    } catch {
      // A redirect or a streamed body: nothing to read.
    }
  });
  return bodies;
}

const hostIds = (answer) => answer.hosts.map((h) => h.id).join(',');

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Upload a file through the API: the body is its content, not JSON. */
async function putFile(server, name, content) {
  const response = await fetch(`${server.url}/api/v1/tenants/default/files/${name}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/octet-stream' },
    body: content,
  });
  const text = await response.text();
  assert(response.ok, `PUT files/${name} → ${response.status}: ${text}`);
  return JSON.parse(text);
}

const fileNames = (answer) => answer.files.map((f) => f.name).join(',');

export const journeys = [
  {
    name: 'agents: an enrolment token shown once with its command, a real agent connects, revoking cuts it off',
    async run({ server, browser }) {
      await serverReady(server);
      const page = await newPage(browser);
      await login(page, server);
      await openSection(page, server, 'Agents');
      await page.getByText('No agents yet.').waitFor();
      await page.getByRole('button', { name: 'Add a label' }).click();
      await page.getByLabel('Key of label 1').fill('zone');
      await page.getByLabel('Value of label 1').fill('eu-9');
      await page.getByLabel('Expires in (optional)').fill('1d');
      await page.getByRole('button', { name: 'Make enrolment token' }).click();
      const tokenField = page.getByRole('textbox', { name: 'Enrolment token' });
      await tokenField.waitFor();
      const token = await tokenField.inputValue();
      const command = await page.getByRole('textbox', { name: 'Run on the host' }).inputValue();
      assert(
        command === `SCENA_ENROLMENT_TOKEN=${token} scena agent --server ${server.url} --labels zone=eu-9`,
        `the command to run on the host: ${command}`,
      );
      const enrolments = page.getByRole('table', { name: 'Enrolment tokens' });
      await enrolments.getByRole('cell', { name: 'zone=eu-9' }).waitFor();
      assert(!(await enrolments.innerText()).includes(token), 'the list does not show the token');

      // The command, run on a "host" (this machine): the agent enrols and connects.
      const state = mkdtempSync(join(tmpdir(), 'scena-studio-agent-'));
      const args = ['agent', '--server', server.url, '--id', 'studio-1', '--state-dir', state];
      const env = { ...process.env, SCENA_ENROLMENT_TOKEN: token };
      const agent = spawn(scenaBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'], env });
      const exited = new Promise((done) => agent.on('exit', (code) => done(code)));
      try {
        const agents = page.getByRole('table', { name: 'Agents' });
        const row = agents.getByRole('row').filter({ hasText: 'studio-1' });
        await eventually(async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return (await row.filter({ hasText: 'connected' }).filter({ hasNotText: 'not connected' }).count()) === 1;
        }, 'the agent shows connected');
        const host = await apiCall(server, 'GET', '/api/v1/tenants/default/hosts/studio-1');
        assert(host.labels.zone === 'eu-9' && host.agent === 'studio-1', `the host joined the inventory: ${JSON.stringify(host)}`);

        // Revoked from the page: cut off at once, and the agent, refused, ends with code 3.
        await row.getByRole('button', { name: 'Revoke' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
        await row.filter({ hasText: 'revoked' }).waitFor();
        const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
        assert(code === 3, `the revoked agent exits with 3, got ${code}`);
      } finally {
        agent.kill();
        rmSync(state, { recursive: true, force: true });
      }

      // The enrolment token revoked: no host enrols with it any more.
      await enrolments.getByRole('button', { name: 'Revoke' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await enrolments.getByText('revoked').waitFor();
      const refused = await fetch(`${server.url}/api/v1/agents/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, id: 'studio-2', hostname: 'studio-2', ip: '127.0.0.1' }),
      });
      assert(refused.status === 401, `a revoked enrolment token enrols nothing, got ${refused.status}`);
      noPageErrors(page);
    },
  },
  {
    name: 'webhook, schedule with its preview, a token shown once, and the audit log paged',
    async run({ server, browser }) {
      await serverReady(server);
      await publishEmptyFlow(server, 'ping');
      const page = await newPage(browser);
      await login(page, server);

      // Webhook: made, fired, rotated (the old URL stops), revoked.
      await openSection(page, server, 'Webhooks');
      await page.getByRole('combobox', { name: 'Flow' }).selectOption('ping');
      await page.getByRole('button', { name: 'Make or rotate webhook' }).click();
      const urlField = page.getByRole('textbox', { name: 'Webhook URL of ping' });
      await urlField.waitFor();
      const first = await urlField.inputValue();
      assert(first.startsWith(`${server.url}/hooks/`), `a webhook URL on this server: ${first}`);
      const fire = (url) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert((await fire(first)).status === 202, 'the webhook starts a run');
      await page.getByRole('button', { name: 'Make or rotate webhook' }).click();
      await eventually(async () => (await urlField.inputValue()) !== first, 'a new URL');
      const second = await urlField.inputValue();
      assert((await fire(first)).status === 404, 'the rotated-away URL no longer works');
      await page.getByRole('button', { name: 'Revoke webhook' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('status').filter({ hasText: 'The webhook of ping is revoked.' }).waitFor();
      assert((await fire(second)).status === 404, 'the revoked URL no longer works');

      // Schedule: the preview lists the next runs in the chosen zone, then it is added and removed.
      await openSection(page, server, 'Schedules');
      await page.getByRole('combobox', { name: 'Flow' }).selectOption('ping');
      await page.getByText('No schedules.').waitFor();
      await page.getByLabel('Cron expression').fill('30 8 * * *');
      await page.getByLabel('Time zone (IANA)').fill('Asia/Shanghai');
      const preview = page.getByTestId('schedule-preview');
      await eventually(async () => (await preview.getByRole('listitem').count()) === 5, 'five previewed runs');
      const firstTick = await preview.locator('time').first().getAttribute('datetime');
      // 08:30 in Shanghai is 00:30 UTC.
      assert(new Date(firstTick).getUTCHours() === 0 && new Date(firstTick).getUTCMinutes() === 30, `next tick ${firstTick}`);
      await page.getByLabel('Cron expression').fill('not a cron');
      await page.locator('.admin-preview').getByRole('alert').waitFor();
      await page.getByLabel('Cron expression').fill('30 8 * * *');
      await page.getByRole('button', { name: 'Add schedule' }).click();
      const schedules = page.getByRole('table', { name: 'Schedules of ping' });
      await schedules.getByRole('cell', { name: 'Asia/Shanghai' }).waitFor();
      const stored = await apiCall(server, 'GET', '/api/v1/tenants/default/flows/ping/schedules');
      assert(stored.schedules.length === 1 && stored.schedules[0].cron === '30 8 * * *', JSON.stringify(stored));
      await schedules.getByRole('button', { name: 'Remove' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.getByText('No schedules.').waitFor();

      // Token: shown once, works, listed without its value, revoked.
      await openSection(page, server, 'API tokens');
      await page.getByLabel('Name', { exact: true }).fill('ci');
      await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption('viewer');
      await page.getByRole('button', { name: 'Make token' }).click();
      const tokenField = page.getByRole('textbox', { name: 'API token' });
      await tokenField.waitFor();
      const token = await tokenField.inputValue();
      const flows = await apiCall(server, 'GET', '/api/v1/tenants/default/flows', undefined, token);
      assert(flows.flows.some((f) => f.name === 'ping'), 'the new token reads flows');
      const tokens = page.getByRole('table', { name: 'Tokens' });
      const row = tokens.getByRole('row').filter({ hasText: 'ci' });
      await row.waitFor();
      assert(!(await tokens.innerText()).includes(token), 'the list does not show the token');
      await row.getByRole('button', { name: 'Revoke' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await eventually(async () => (await row.count()) === 0, 'the revoked token leaves the list');
      const after = await fetch(`${server.url}/api/v1/tenants/default/flows`, { headers: { authorization: `Bearer ${token}` } });
      assert(after.status === 401, `the revoked token is refused, got ${after.status}`);

      // Audit: newest first, and more than a page is reached with "Load more".
      for (let i = 0; i < 55; i += 1) {
        await apiCall(server, 'PUT', `/api/v1/tenants/default/secrets/K${i}`, { value: 'x' });
      }
      await openSection(page, server, 'Audit log');
      const audit = page.getByRole('table', { name: 'Audit log' });
      await audit.waitFor();
      const rows = audit.locator('tbody tr');
      assert((await rows.count()) === 50, `a first page of 50, got ${await rows.count()}`);
      assert((await rows.first().innerText()).includes('/secrets/K54'), 'the newest entry first');
      await page.getByRole('button', { name: 'Load more' }).click();
      await eventually(async () => (await rows.count()) > 50, 'a second page');
      const all = await audit.innerText();
      assert(all.includes('/flows/ping/webhook') && all.includes('/flows/ping/schedules'), 'earlier changes are listed');
      noPageErrors(page);
    },
  },
  {
    name: 'every admin page: no serious accessibility violation, nothing untranslated in zh-CN',
    async run({ server, browser }) {
      await serverReady(server);
      await publishEmptyFlow(server, 'ping');
      // Something in every list, so its table is scanned too.
      await apiCall(server, 'POST', '/api/v1/tenants/default/hosts/import', [
        { id: 'h-1', hostname: 'game-1', ip: '10.0.0.1', labels: { zone: 'eu-1', role: 'game' } },
      ]);
      await apiCall(server, 'PUT', '/api/v1/tenants/default/channels/ops', { kind: 'webhook', url: 'https://hooks.example.com/x', format: 'slack' });
      await putFile(server, 'app-1.0.tgz', 'version one');
      await makeMember(server, 'otto', 'operator');
      for (const language of ['en', 'zh-CN']) {
        const page = await newPage(browser, { language, strictI18n: language === 'zh-CN' });
        await login(page, server);
        for (const [path, section] of Object.entries(SECTIONS)) {
          await page.goto(`${server.url}/t/default/admin/${path}`);
          await page.locator('.admin-body section h2').first().waitFor();
          if (section === 'Schedules') {
            await page.locator('.admin-body select').first().selectOption('ping');
            await page.getByTestId('schedule-preview').waitFor();
          }
          await page.waitForLoadState('networkidle');
          const violations = await axeViolations(page);
          assert(violations.length === 0, `${language} ${section}: ${violations.join('\n')}`);
        }
        await page.goto(`${server.url}/t/default/admin/plugins/echo`);
        await page.locator('.admin-json').first().waitFor();
        const violations = await axeViolations(page);
        assert(violations.length === 0, `${language} plugin page: ${violations.join('\n')}`);
        const missing = await page.evaluate(() => [...window.__scenaMissingKeys].filter((k) => k.includes(':admin:')));
        assert(missing.length === 0, `untranslated admin keys in ${language}: ${missing.join(', ')}`);
        noPageErrors(page);
      }
    },
  },
  {
    name: 'invite a member: the link is shown once and accepting it adds them',
    async run({ server, browser }) {
      await serverReady(server);
      const page = await newPage(browser);
      await login(page, server);
      await openSection(page, server, 'Invitations');
      await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption('operator');
      await page.getByLabel('Open for (optional)').fill('2d');
      await page.getByRole('button', { name: 'Create invitation' }).click();
      const linkField = page.getByRole('textbox', { name: 'Acceptance link' });
      await linkField.waitFor();
      const link = await linkField.inputValue();
      const code = /^\/join\/([^/]+)$/.exec(new URL(link).pathname)?.[1];
      assert(code, `the link carries the code: ${link}`);
      assert(link.startsWith(server.url), `the link is on this server: ${link}`);
      // The open invitation is listed, never with its code.
      const table = page.getByRole('table', { name: 'Invitations' });
      await table.getByRole('cell', { name: 'operator' }).first().waitFor();
      assert(!(await table.innerText()).includes(code), 'the list does not show the code');

      // The invitee opens the link in a browser of their own, joins as a new user and lands in the tenant.
      const invitee = await newPage(browser);
      await invitee.goto(link);
      await invitee.getByLabel(/user ?name/i).fill('ivan');
      await invitee.getByLabel(/password/i).fill('ivan-password-1');
      await invitee.getByRole('button').filter({ hasText: /join|accept/i }).first().click();
      await invitee.waitForURL(/\/t\/default\/flows/);
      const joined = { token: await apiCall(server, 'POST', '/api/v1/auth/login', { username: 'ivan', password: 'ivan-password-1' }).then((a) => a.token) };
      const session = await apiCall(server, 'GET', '/api/v1/auth/session', undefined, joined.token);
      assert(session.tenants.some((t) => t.name === 'default' && t.role === 'operator'), 'ivan is an operator of default');
      noPageErrors(invitee);

      // The admin sees the invitation used and the new member listed.
      await page.getByRole('button', { name: 'Done' }).click();
      assert((await linkField.count()) === 0, 'the link is gone once dismissed');
      await openSection(page, server, 'Members');
      const ivan = page.getByRole('table', { name: 'Members' }).locator('tr[data-member="ivan"]');
      await ivan.waitFor();
      assert((await ivan.getByRole('combobox', { name: 'Role of ivan' }).inputValue()) === 'operator', 'ivan joined as operator');

      // Change ivan's role to developer, limited to one flow, and see the API agree.
      await page.getByLabel('User name').first().fill('ivan');
      await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption('developer');
      await page.getByLabel('Only these flows (optional)').fill('hello');
      await page.getByRole('button', { name: 'Set role' }).click();
      await eventually(async () => (await ivan.getByRole('combobox', { name: 'Role of ivan' }).inputValue()) === 'developer', 'ivan listed as developer');
      await ivan.getByRole('cell', { name: 'hello' }).waitFor();
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
      await serverReady(server);
      const page = await newPage(browser);
      await login(page, server);
      await openSection(page, server, 'Grants');
      const newHost = page.getByRole('textbox', { name: 'New entry for HTTP allow-list' });
      await newHost.fill('api.example.com');
      await newHost.press('Enter');
      await page.getByRole('textbox', { name: 'New entry for HTTP allow-list' }).fill('10.0.0.0/8');
      await page.getByRole('button', { name: 'Add to HTTP allow-list' }).click();
      await page.getByRole('textbox', { name: 'HTTP allow-list, entry 2' }).waitFor();
      // A secret grant for every plugin, edited as a list too (offered the secret names: a combobox).
      const secretGrants = page.getByRole('group', { name: 'Secrets per plugin' });
      await secretGrants.getByRole('button', { name: 'Add a plugin' }).click();
      await secretGrants.getByRole('textbox', { name: 'Plugin name or *' }).fill('*');
      await page.getByRole('combobox', { name: 'New entry for Secrets of *' }).fill('API_KEY');
      await page.getByRole('button', { name: 'Add to Secrets of *' }).click();
      // Hosts: per plugin label selectors on servers that have them, else a plain list.
      const hostGrants = page.getByRole('group', { name: 'Hosts', exact: true });
      const perPlugin = (await hostGrants.getByRole('button', { name: 'Add a plugin' }).count()) > 0;
      if (perPlugin) {
        await hostGrants.getByRole('button', { name: 'Add a plugin' }).click();
        await hostGrants.getByRole('textbox', { name: 'Plugin name or *' }).fill('standin');
        await hostGrants.getByRole('textbox', { name: 'New entry for Hosts of standin' }).fill('zone=eu-1,role=game');
        await hostGrants.getByRole('button', { name: 'Add to Hosts of standin' }).click();
      } else {
        await hostGrants.getByRole('textbox', { name: 'New entry for Hosts' }).fill('*.prod.example.com');
        await hostGrants.getByRole('button', { name: 'Add to Hosts' }).click();
      }
      await page.getByRole('button', { name: 'Save grants' }).click();
      await page.getByRole('status').filter({ hasText: 'Grants saved.' }).waitFor();
      const grants = await apiCall(server, 'GET', '/api/v1/tenants/default/grants');
      const hosts = perPlugin ? grants.hosts.standin : grants.hosts;
      assert(hosts?.includes(perPlugin ? 'zone=eu-1,role=game' : '*.prod.example.com'), `hosts granted: ${JSON.stringify(grants)}`);
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
      await serverReady(server);
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
      await serverReady(server);
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
      // The file field (for keyboard users) uploads too: the same bytes again are accepted as they are.
      await page.getByRole('status').filter({ hasText: 'Uploaded countdown' }).waitFor();
      const picker = page.getByLabel('…or choose a file');
      await picker.focus();
      const again = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/tenants/default/plugins'));
      await picker.setInputFiles(join(GUESTS, 'countdown.wasm'));
      assert((await again).status() === 200, 'the picked file was sent, and known already (200)');
      await page.getByRole('status').filter({ hasText: 'Uploaded countdown 0.1.0.' }).waitFor();
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
    name: 'files: pick one (its name checked as the server does), replace it after being told, drop an empty one, download, delete',
    async run({ server, browser }) {
      await serverReady(server);
      const page = await newPage(browser);
      await login(page, server);
      await openSection(page, server, 'Files');
      await page.getByText('No files yet.').waitFor();
      const form = page.getByRole('form', { name: 'Upload a file' });
      const picker = form.getByLabel('…or choose a file');
      const nameField = form.getByLabel('Name', { exact: true });
      const first = 'hello scena\n';
      await picker.setInputFiles({ name: 'app.txt', mimeType: 'text/plain', buffer: Buffer.from(first) });
      await form.getByText('Chosen: app.txt (12 B)').waitFor();
      assert((await nameField.inputValue()) === 'app.txt', "the name is the picked file's");

      // A name the server would refuse is said at once, and not sent.
      await nameField.fill('my app.txt');
      await form.getByText('only, not “ ”').waitFor();
      assert(await form.getByRole('button', { name: 'Upload file' }).isDisabled(), 'a bad name is not uploaded');
      await nameField.fill('.app.txt');
      await form.getByText('A file name may not start with a dot.').waitFor();
      await nameField.fill('app.txt');
      await form.getByRole('button', { name: 'Upload file' }).click();
      await form.getByRole('status').filter({ hasText: `Uploaded app.txt (sha256 ${sha256(first).slice(0, 12)}` }).waitFor();
      const table = page.getByRole('table', { name: 'Files of this tenant' });
      const row = table.locator('tr[data-file="app.txt"]');
      await row.waitFor();
      const listed = await row.innerText();
      assert(listed.includes('12 B') && listed.includes(sha256(first).slice(0, 12)) && listed.includes('admin'), `listed: ${listed}`);
      assert((await row.locator('[data-sha256]').getAttribute('title')) === sha256(first), 'the whole sha256 in the title');
      const stored = await apiCall(server, 'GET', '/api/v1/tenants/default/files/app.txt');
      assert(stored.sha256 === sha256(first) && stored.size_bytes === 12, `stored: ${JSON.stringify(stored)}`);
      assert((await nameField.inputValue()) === '', 'the form is empty again');
      await eventually(
        async () => (await page.getByTestId('files-usage').innerText()).includes("Together they take 12 B of the tenant's 10 GiB"),
        'the usage of the quota said',
      );

      // The same name again: the page says it replaces the file before it does.
      const second = 'hello scena, again\n';
      await picker.setInputFiles({ name: 'app.txt', mimeType: 'text/plain', buffer: Buffer.from(second) });
      const note = form.getByTestId('file-replace-note');
      await note.waitFor();
      assert((await note.innerText()).includes('A file named app.txt exists: uploading replaces it.'), await note.innerText());
      await form.getByRole('button', { name: 'Replace file' }).click();
      await form.getByRole('status').filter({ hasText: `Replaced app.txt (sha256 ${sha256(second).slice(0, 12)}` }).waitFor();
      await eventually(async () => (await row.innerText()).includes(sha256(second).slice(0, 12)), 'the new sha256 listed');
      assert((await row.innerText()).includes('19 B'), `the new size: ${await row.innerText()}`);
      assert((await note.count()) === 0, 'no replacement note once done');
      const replaced = await apiCall(server, 'GET', '/api/v1/tenants/default/files');
      assert(fileNames(replaced) === 'app.txt' && replaced.files[0].sha256 === sha256(second), `one file, replaced: ${JSON.stringify(replaced)}`);

      // An empty file, dropped: a file too, downloaded empty.
      await dropText(page, form.getByTestId('file-drop-zone'), '', 'marker', 'application/octet-stream');
      await eventually(async () => (await nameField.inputValue()) === 'marker', 'the dropped file named');
      await form.getByRole('button', { name: 'Upload file' }).click();
      await form.getByRole('status').filter({ hasText: 'Uploaded marker' }).waitFor();
      const marker = table.locator('tr[data-file="marker"]');
      await marker.waitFor();
      assert((await marker.innerText()).includes('0 B'), `an empty file: ${await marker.innerText()}`);
      const [empty] = await Promise.all([page.waitForEvent('download'), marker.getByRole('button', { name: 'Download marker' }).click()]);
      const emptyBytes = readFileSync(await empty.path());
      assert(empty.suggestedFilename() === 'marker' && emptyBytes.length === 0, `the empty file downloaded: ${empty.suggestedFilename()} ${JSON.stringify(emptyBytes.toString())}`);

      // Downloaded as it was uploaded, under its name.
      const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Download app.txt' }).click()]);
      assert(download.suggestedFilename() === 'app.txt', `file name ${download.suggestedFilename()}`);
      assert(readFileSync(await download.path(), 'utf8') === second, 'the downloaded content is the replacement');

      // Deleting asks first, then the file is gone.
      await row.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await row.waitFor({ state: 'detached' });
      assert(fileNames(await apiCall(server, 'GET', '/api/v1/tenants/default/files')) === 'marker', 'app.txt deleted');
      noPageErrors(page);
    },
  },
  {
    name: 'inventory: a bad row refuses the whole import with its line, the fixed file imports, filter, edit labels, export',
    async run({ server, browser }) {
      await serverReady(server);
      const page = await newPage(browser);
      await login(page, server);
      await openSection(page, server, 'Inventory');
      await page.getByText('No hosts yet.').waitFor();

      // Pasted CSV with one bad row (line 3): every problem of it listed by line, nothing imported.
      const good = 'id,hostname,ip,zone,role\nh-1,game-1,10.0.0.1,eu-1,game\n';
      const bad = `${good}h-2,db 1,10.0.0.x,eu-1,db\nh-3,game-2,10.0.0.3,eu-2,game\n`;
      const text = page.getByLabel('CSV or JSON to import');
      await text.fill(bad);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const errors = page.getByRole('list', { name: 'Rows the server refused' });
      await errors.waitFor();
      const items = await errors.getByRole('listitem').allInnerTexts();
      assert(items.length === 2 && items.every((item) => item.startsWith('line 3: ')), `both problems of line 3: ${items}`);
      assert(items.some((item) => item.includes('10.0.0.x')), `the bad address is named: ${items}`);
      await page.getByRole('alert').filter({ hasText: 'nothing was imported' }).waitFor();
      const refusedScan = await axeViolations(page);
      assert(refusedScan.length === 0, `the refused import: ${refusedScan.join('\n')}`);
      const none = await apiCall(server, 'GET', '/api/v1/tenants/default/hosts');
      assert(none.hosts.length === 0, `nothing imported: ${hostIds(none)}`);

      // The fixed file, dropped: it fills the field (format detected from its name) and imports.
      const fixed = `${good}h-2,db-1,10.0.0.2,eu-1,db\nh-3,game-2,10.0.0.3,eu-2,game\n`;
      await dropText(page, page.getByTestId('host-import-drop'), fixed, 'hosts.csv', 'text/csv');
      await eventually(async () => (await text.inputValue()) === fixed, 'the dropped file in the field');
      await page.getByText('From the file hosts.csv').waitFor();
      assert((await errors.count()) === 0, 'the old errors are gone');
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Imported: 3 created, 0 updated, 0 removed.' }).waitFor();
      const table = page.getByRole('table', { name: 'Hosts' });
      await eventually(async () => (await table.locator('tbody tr').count()) === 3, 'three hosts listed');
      const chips = await table.getByRole('list', { name: 'Labels of h-2' }).getByRole('listitem').allInnerTexts();
      assert(chips.join(' ') === 'role=db zone=eu-1', `labels as chips: ${chips}`);
      assert(hostIds(await apiCall(server, 'GET', '/api/v1/tenants/default/hosts')) === 'h-1,h-2,h-3', 'the API lists them');

      // Filter by selector; a bad one shows the server's message.
      const selector = page.getByLabel('Label selector');
      await selector.fill('zone=eu-1,role!=db');
      await selector.press('Enter');
      await eventually(async () => (await table.locator('tbody tr').count()) === 1, 'one host matches');
      assert((await table.locator('tbody tr').innerText()).includes('game-1'), 'h-1 matches');
      await selector.fill('zone==');
      await page.getByRole('button', { name: 'Filter', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'is not `key=value`' }).waitFor();
      assert((await table.count()) === 0, 'no hosts shown under a refused selector');
      await page.getByRole('button', { name: 'Clear' }).click();
      await eventually(async () => (await table.locator('tbody tr').count()) === 3, 'all hosts again');

      // Edit h-3's labels: change one, remove one, add one.
      await table.getByRole('button', { name: 'Edit host h-3' }).click();
      const form = page.getByRole('form', { name: 'Edit host h-3' });
      await form.waitFor();
      assert(await form.getByLabel('Host name').evaluate((field) => field === document.activeElement), 'the form takes the focus');
      const editScan = await axeViolations(page);
      assert(editScan.length === 0, `the edit form: ${editScan.join('\n')}`);
      // Rows by key order: role, zone.
      await form.getByRole('textbox', { name: 'Value of label 2' }).fill('eu-3');
      await form.getByRole('button', { name: 'Remove label role' }).click();
      await form.getByRole('button', { name: 'Add a label' }).click();
      await form.getByRole('textbox', { name: 'Key of label 2' }).fill('canary');
      await form.getByRole('textbox', { name: 'Value of label 2' }).fill('yes');
      await form.getByRole('button', { name: 'Save host' }).click();
      await form.waitFor({ state: 'detached' });
      const edited = await table.getByRole('list', { name: 'Labels of h-3' }).getByRole('listitem').allInnerTexts();
      assert(edited.join(' ') === 'canary=yes zone=eu-3', `edited labels shown: ${edited}`);
      const h3 = await apiCall(server, 'GET', '/api/v1/tenants/default/hosts/h-3');
      assert(JSON.stringify(h3.labels) === '{"canary":"yes","zone":"eu-3"}', `stored labels: ${JSON.stringify(h3)}`);

      // Add one by hand, and delete it again.
      await page.getByRole('button', { name: 'Add a host' }).click();
      const add = page.getByRole('form', { name: 'Add a host' });
      await add.getByLabel('ID').fill('h-9');
      await add.getByLabel('Host name').fill('spare-9');
      await add.getByLabel('IP address').fill('not-an-ip');
      await add.getByRole('button', { name: 'Add host' }).click();
      await add.getByRole('alert').filter({ hasText: 'not-an-ip' }).waitFor();
      await add.getByLabel('IP address').fill('fd00::9');
      await add.getByRole('button', { name: 'Add host' }).click();
      const spare = table.locator('tr[data-host="h-9"]');
      await spare.waitFor();
      await spare.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await spare.waitFor({ state: 'detached' });
      assert(hostIds(await apiCall(server, 'GET', '/api/v1/tenants/default/hosts')) === 'h-1,h-2,h-3', 'h-9 deleted');

      // Export as CSV: the file holds every host, in a form the import takes back.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
      assert(/^hosts-default-\d{4}-\d{2}-\d{2}\.csv$/.test(download.suggestedFilename()), `file name ${download.suggestedFilename()}`);
      const csv = readFileSync(await download.path(), 'utf8');
      const lines = csv.trim().split('\n');
      assert(lines[0].startsWith('id,hostname,ip') && lines.length === 4, `exported CSV:\n${csv}`);
      assert(['h-1,game-1,10.0.0.1', 'h-2,db-1,10.0.0.2', 'h-3,game-2,10.0.0.3'].every((row) => csv.includes(row)), `every host exported:\n${csv}`);

      // More than a page: the next one is asked for with the server's `next`.
      const many = Array.from({ length: 120 }, (_, i) => ({ id: `m-${String(i).padStart(3, '0')}`, hostname: `m${i}`, ip: `10.1.0.${i + 1}` }));
      await apiCall(server, 'POST', '/api/v1/tenants/default/hosts/import', many);
      await page.getByRole('button', { name: 'Filter', exact: true }).click();
      await eventually(async () => (await table.locator('tbody tr').count()) === 100, 'a first page of 100');
      await page.getByRole('button', { name: 'Load more' }).click();
      await eventually(async () => (await table.locator('tbody tr').count()) === 123, 'all 123 hosts after the second page');
      assert((await page.getByRole('button', { name: 'Load more' }).count()) === 0, 'no third page');
      noPageErrors(page);
    },
  },
  {
    name: 'a webhook channel: its URL never comes back; granted to the notify plugin in the grants editor',
    async run({ server, browser }) {
      await serverReady(server);
      const key = `robot-key-${Math.random().toString(36).slice(2)}`;
      const page = await newPage(browser);
      const bodies = recordAnswers(page, server);
      await login(page, server);
      await openSection(page, server, 'Channels');
      await page.getByText('No channels.').waitFor();
      await page.getByLabel('Name', { exact: true }).fill('ops-alerts');
      await page.getByRole('radio', { name: 'Webhook' }).check();
      await page.getByLabel('Webhook URL').fill(`https://hooks.example.com/services/${key}`);
      await page.getByRole('combobox', { name: 'Message format' }).selectOption('feishu');
      await page.getByRole('button', { name: 'Add channel' }).click();
      await page.getByRole('status').filter({ hasText: 'Channel ops-alerts set.' }).waitFor();
      const row = page.getByRole('table', { name: 'Channels' }).locator('tr[data-channel="ops-alerts"]');
      await row.waitFor();
      const shown = await row.innerText();
      assert(shown.includes('hooks.example.com') && shown.includes('Feishu') && shown.includes('admin'), `listed: ${shown}`);
      assert((await page.getByLabel('Webhook URL').inputValue()) === '', 'a fresh, empty form');
      // An email channel whose username lacks its password: the server's refusal is shown.
      await page.getByLabel('Name', { exact: true }).fill('mail');
      await page.getByRole('radio', { name: 'Email (SMTP)' }).check();
      await page.getByLabel('SMTP server').fill('smtp.example.com');
      await page.getByLabel('Sender address').fill('ops@example.com');
      await page.getByLabel('User name (optional)').fill('bot');
      await page.getByRole('button', { name: 'Add channel' }).click();
      await page.getByRole('alert').filter({ hasText: 'username and password go together' }).waitFor();

      // Replacing starts from what the list shows, never the URL.
      await row.getByRole('button', { name: 'Replace channel ops-alerts' }).click();
      const again = page.getByRole('form', { name: 'Replace the channel ops-alerts' });
      await again.waitFor();
      assert((await again.getByLabel('Name', { exact: true }).inputValue()) === 'ops-alerts', 'the name is kept');
      assert((await again.getByRole('combobox', { name: 'Message format' }).inputValue()) === 'feishu', 'the format is kept');
      assert((await again.getByLabel('Webhook URL').inputValue()) === '', 'the URL is asked for again');
      await page.getByRole('button', { name: 'Add a new channel instead' }).click();
      await page.getByRole('form', { name: 'Add a channel' }).waitFor();

      // The grants editor offers the channel to a plugin; the grant is stored.
      await openSection(page, server, 'Grants');
      const notify = page.getByRole('group', { name: 'Notification channels per plugin' });
      await notify.getByRole('button', { name: 'Add a plugin' }).click();
      await notify.getByRole('textbox', { name: 'Plugin name or *' }).fill('notify');
      const entry = notify.getByRole('combobox', { name: 'New entry for Channels of notify' });
      const offered = await entry.evaluate((input) => [...(input.list?.options ?? [])].map((option) => option.value));
      assert(offered.includes('ops-alerts'), `the channel is offered: ${offered}`);
      await entry.fill('ops-alerts');
      await notify.getByRole('button', { name: 'Add to Channels of notify' }).click();
      await page.getByRole('button', { name: 'Save grants' }).click();
      await page.getByRole('status').filter({ hasText: 'Grants saved.' }).waitFor();
      const grants = await apiCall(server, 'GET', '/api/v1/tenants/default/grants');
      assert(JSON.stringify(grants.notify) === '{"notify":["ops-alerts"]}', `notify granted: ${JSON.stringify(grants)}`);

      // Back on the channels page: the URL's key is in no page and no answer the page received.
      await openSection(page, server, 'Channels');
      await row.waitFor();
      assert(!(await page.content()).includes(key), 'the URL is not in the page');
      await eventually(() => bodies.filter((b) => b.url.endsWith('/channels')).length >= 2, 'the channel lists answer');
      const leaks = bodies.filter((b) => b.text.includes(key)).map((b) => b.url);
      assert(leaks.length === 0, `the URL came back in: ${leaks.join(', ')}`);
      const listed = await apiCall(server, 'GET', '/api/v1/tenants/default/channels');
      assert(!JSON.stringify(listed).includes(key), 'the API never lists it');

      // Deleting asks first.
      await row.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await row.waitFor({ state: 'detached' });
      noPageErrors(page);
    },
  },
  {
    name: 'the members table: the owner, a member made through the API, a role changed and a member removed in their rows',
    async run({ server, browser }) {
      await serverReady(server);
      await makeMember(server, 'mona', 'viewer');
      const page = await newPage(browser);
      await login(page, server);
      await openSection(page, server, 'Members');
      const table = page.getByRole('table', { name: 'Members' });
      const admin = table.locator('tr[data-member="admin"]');
      const mona = table.locator('tr[data-member="mona"]');
      await admin.waitFor();
      assert((await admin.getByRole('combobox', { name: 'Role of admin' }).inputValue()) === 'owner', 'admin is an owner');
      assert((await mona.getByRole('combobox', { name: 'Role of mona' }).inputValue()) === 'viewer', 'mona is a viewer');
      const change = mona.getByRole('button', { name: 'Change role' });
      assert(await change.isDisabled(), 'nothing to change yet');
      await mona.getByRole('combobox', { name: 'Role of mona' }).selectOption('operator');
      await change.click();
      await page.getByRole('dialog').getByText('Change the role of mona from viewer to operator?').waitFor();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await eventually(async () => {
        const members = await apiCall(server, 'GET', '/api/v1/tenants/default/members');
        return members.members.find((m) => m.username === 'mona')?.role === 'operator';
      }, 'mona an operator in the API');
      await eventually(async () => await change.isDisabled(), 'the row reloaded with her new role');
      assert((await mona.getByRole('combobox', { name: 'Role of mona' }).inputValue()) === 'operator', 'listed as operator');

      await mona.getByRole('button', { name: 'Remove member' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await mona.waitFor({ state: 'detached' });
      const members = await apiCall(server, 'GET', '/api/v1/tenants/default/members');
      assert(!members.members.some((m) => m.username === 'mona'), `mona removed: ${JSON.stringify(members)}`);
      noPageErrors(page);
    },
  },
  {
    name: 'a viewer is offered no admin navigation nor editing, and the API refuses her grants and hosts changes',
    async run({ server, browser }) {
      await serverReady(server);
      const vera = await makeMember(server, 'vera', 'viewer');
      await apiCall(server, 'POST', '/api/v1/tenants/default/hosts/import', [{ id: 'h-1', hostname: 'game-1', ip: '10.0.0.1', labels: { zone: 'eu-1' } }]);
      await putFile(server, 'app.bin', 'the content');
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
      // The inventory: read (and export) only.
      await sub.getByRole('link', { name: 'Inventory' }).click();
      await page.getByRole('table', { name: 'Hosts' }).locator('tr[data-host="h-1"]').waitFor();
      await page.getByText('You may read and export the inventory').waitFor();
      for (const control of ['Add a host', 'Import', 'Edit host h-1', 'Delete']) {
        assert((await page.getByRole('button', { name: control }).count()) === 0, `no ${control} button for a viewer`);
      }
      assert((await page.getByLabel('CSV or JSON to import').count()) === 0, 'no import field');
      assert((await page.getByRole('button', { name: 'Export CSV' }).count()) === 1, 'export is reading');
      // The files: listed and downloaded, neither uploaded nor deleted.
      await sub.getByRole('link', { name: 'Files' }).click();
      const file = page.getByRole('table', { name: 'Files of this tenant' }).locator('tr[data-file="app.bin"]');
      await file.waitFor();
      await page.getByText('You may list and download the files').waitFor();
      assert((await page.getByTestId('file-drop-zone').count()) === 0, 'no upload for a viewer');
      assert((await file.getByRole('button', { name: 'Download app.bin' }).count()) === 1, 'download is reading');
      assert((await file.getByRole('button', { name: 'Delete' }).count()) === 0, 'no delete for a viewer');
      await sub.getByRole('link', { name: 'Channels' }).click();
      await page.getByRole('heading', { name: 'Notification channels', level: 2 }).waitFor();
      assert((await page.getByRole('button', { name: 'Add channel' }).count()) === 0, 'no channel form');
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
      const hostRefused = await fetch(`${server.url}/api/v1/tenants/default/hosts/x`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ hostname: 'x', ip: '10.0.0.9' }),
      });
      assert(hostRefused.status === 403, `a viewer's host change is refused with 403, got ${hostRefused.status}`);
      const hosts = await apiCall(server, 'GET', '/api/v1/tenants/default/hosts');
      assert(hostIds(hosts) === 'h-1', 'the inventory is unchanged');
      noPageErrors(page);
    },
  },
];
