// What every browser journey shares: a real `scena serve` on loopback with a
// fresh data dir (and the tests' shared compiled-plugin cache), Debian's Chromium driven by playwright-core, and a few API
// calls (with the admin token) to set the scene.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
export const repo = resolve(here, '../../..');
export const ADMIN_PASSWORD = 'admin-password-1';

/** The scena binary to test: $SCENA_BIN, else the debug build. */
export function scenaBinary() {
  return process.env.SCENA_BIN ?? join(repo, 'target/debug/scena');
}

/**
 * Start `scena serve` on a free loopback port with the standard plugins and
 * the sample flows. Resolves once it listens; `stop()` ends it and removes its data.
 */
export async function startServer({ samples = true, extraArgs = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'scena-studio-'));
  const args = ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs];
  if (!samples) args.push('--no-samples');
  const child = spawn(scenaBinary(), args, {
    env: {
      ...process.env,
      SCENA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SCENA_LOG: process.env.SCENA_LOG ?? 'warn',
      // One compiled-plugin cache for every journey's server (as the Rust tests
      // share theirs): the standard plugins are compiled once, not per server.
      SCENA_CACHE_DIR: process.env.SCENA_CACHE_DIR ?? join(repo, 'target/test-compiled'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`scena serve did not listen within 60 s:\n${stderr}`)), 60_000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const token = /admin token \(shown once\): (\S+)\s/.exec(stderr);
      const address = /listening on (http:\/\/\S+)\s/.exec(stderr);
      if (address && token) {
        clearTimeout(timer);
        resolveReady({ url: address[1], adminToken: token[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`scena serve exited with ${code}:\n${stderr}`)));
  });
  const { url, adminToken } = await ready;
  return {
    url,
    adminToken,
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode !== null ? done() : child.on('exit', done)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An API call with a bearer token; resolves to the parsed body, throws on a non-2xx answer. */
export async function apiCall(server, method, path, body, token = server.adminToken) {
  const response = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A user with `role` in `tenant` (made through the API). */
export async function makeMember(server, username, role, tenant = 'default', password = `${username}-password`) {
  await apiCall(server, 'POST', '/api/v1/users', { username, password });
  await apiCall(server, 'PUT', `/api/v1/tenants/${tenant}/members/${username}`, { role });
  return { username, password };
}

/** Debian's Chromium, headless, with nothing reaching beyond loopback. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A fresh page (its own cookies) in `language`, failing the journey on any page error. */
export async function newPage(browser, { language = 'en', strictI18n = false, viewport } = {}) {
  const context = await browser.newContext({ viewport: viewport ?? { width: 1400, height: 900 }, locale: language });
  await context.addInitScript(
    ([lang, strict]) => {
      localStorage.setItem('scena.language', lang);
      if (strict) localStorage.setItem('scena.i18nStrict', '1');
    },
    [language, strictI18n],
  );
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.scenaErrors = errors;
  return page;
}

/** Log in through the studio's form. */
export async function login(page, server, username = 'admin', password = ADMIN_PASSWORD) {
  await page.goto(server.url + '/login');
  await page.getByLabel(/username|用户名/i).fill(username);
  await page.getByLabel(/password|密码/i).fill(password);
  await page.getByRole('button', { name: /log in|登录/i }).click();
  await page.waitForURL(/\/t\/[^/]+\/flows/);
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

export async function withTempDir(prefix, use) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Poll `check` until it returns a truthy value or `ms` pass. */
export async function eventually(check, what, ms = 10_000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/**
 * Wait until the fresh server answers on its port. `startServer` reads the
 * address from stderr as it arrives and can take a line cut short between two
 * chunks (`http://127`, which the sandbox then answers `403 resolve_deny`):
 * read it again from the whole line first.
 */
export async function serverReady(server) {
  await eventually(() => /listening on http:\/\/\S+\s/.test(server.stderr()), 'the whole address line', 15_000);
  server.url = /listening on (http:\/\/\S+)\s/.exec(server.stderr())[1];
  await eventually(async () => {
    try {
      return (await fetch(`${server.url}/healthz`)).status === 200;
    } catch {
      return false;
    }
  }, 'the server to answer /healthz', 15_000);
}
