// Every page of the studio, walked as a user would reach it: an accessibility
// scan (axe-core) of each with no serious or critical violation, and the
// whole studio in Simplified Chinese with no string left untranslated (the
// English fallback is switched off, so a missing translation shows up as a
// missing key).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { apiCall, assert, login, newPage } from '../harness.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The pages to visit, once a run of the sample flow exists and the flow has two versions. */
async function pagesOf(server, page) {
  const flow = await apiCall(server, 'GET', '/api/v1/tenants/default/flows/version-release');
  const draft = flow.draft.flow;
  draft.description = 'changed for a second version';
  await apiCall(server, 'PUT', '/api/v1/tenants/default/flows/version-release/draft', draft);
  await apiCall(server, 'POST', '/api/v1/tenants/default/flows/version-release/versions');
  const run = await apiCall(server, 'POST', '/api/v1/tenants/default/flows/version-release/runs?wait_ms=5000', {
    input: { version: '1.4.2', previous_version: '1.4.1', zones: ['eu-1'] },
    version: 1,
  });
  const pages = [
    '/t/default/flows',
    '/t/default/flows/version-release',
    '/t/default/flows/version-release/diff?from=1&to=2',
    '/t/default/flows/version-release/run',
    '/t/default/runs',
    `/t/default/runs/${run.id}`,
  ];
  await page.goto(server.url + '/t/default/admin');
  await page.locator('main nav a, main [role=navigation] a').first().waitFor();
  const admin = await page
    .locator('main nav a, main [role=navigation] a')
    .evaluateAll((links) => links.map((a) => new URL(a.href).pathname));
  assert(admin.length >= 5, `the admin pages are listed: ${admin}`);
  return [...pages, ...new Set(admin)];
}

/** Wait until a page has settled: no "loading" text and the network quiet. */
async function settle(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !/Loading…|加载中…/.test(document.body.innerText), null, { timeout: 10_000 });
}

async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const outcome = await axe.run(document, { resultTypes: ['violations'] });
    return outcome.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  return result;
}

export const journeys = [
  {
    name: 'every page passes an accessibility scan (no serious or critical violation)',
    async run({ server, browser }) {
      const page = await newPage(browser);
      await page.goto(server.url + '/login');
      await settle(page);
      const problems = (await axeViolations(page)).map((v) => `/login: ${v}`);
      await login(page, server);
      for (const path of await pagesOf(server, page)) {
        await page.goto(server.url + path);
        await settle(page);
        problems.push(...(await axeViolations(page)).map((v) => `${path}: ${v}`));
      }
      assert(problems.length === 0, `accessibility violations:\n${problems.join('\n')}`);
      // Before login the studio asks for the session and gets 401, which Chromium logs; anything else counts.
      const errors = page.scenaErrors.filter((e) => !/status of 401/.test(e));
      assert(errors.length === 0, `page errors: ${errors.join('\n')}`);
    },
  },
  {
    name: 'the studio in zh-CN shows no untranslated string',
    async run({ server, browser }) {
      const page = await newPage(browser, { language: 'zh-CN', strictI18n: true });
      await page.goto(server.url + '/login');
      await settle(page);
      assert((await page.locator('h1').innerText()).includes('登录'), 'the login page is in Chinese');
      await login(page, server);
      const missing = new Map();
      for (const path of await pagesOf(server, page)) {
        await page.goto(server.url + path);
        await settle(page);
        const keys = await page.evaluate(() => [...window.__scenaMissingKeys]);
        if (keys.length > 0) missing.set(path, keys);
      }
      const report = [...missing].map(([path, keys]) => `${path}: ${keys.join(', ')}`).join('\n');
      assert(missing.size === 0, `untranslated strings:\n${report}`);
    },
  },
];
