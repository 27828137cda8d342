// The studio's budgets, measured in headless Chromium against a real
// `scena serve` and printed (run: `npm run bench` in studio/, after
// `cargo xtask studio` and a cargo build; SCENA_BIN / SCENA_STUDIO_DIR as for
// the journeys). Figures, not assertions: this machine's speed varies.
//   - initial JavaScript, gzipped (what the first page loads before any lazy chunk);
//   - the editor opening the sample release flow, ready to edit (median of 5);
//   - a 1,000-node flow opening, and the frame times while dragging a node in it;
//   - the live run view following a 200-item foreach run to its end, every item shown.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { apiCall, launchBrowser, login, newPage, startServer } from './harness.mjs';

const dist = process.env.SCENA_STUDIO_DIR ?? fileURLToPath(new URL('../../dist', import.meta.url));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function initialJavaScript() {
  const index = readFileSync(join(dist, 'index.html'), 'utf8');
  const scripts = [...index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const bytes = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(join(dist, file)), { level: 9 }).length, 0);
  const all = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
  return { files: scripts, kib: bytes / 1024, lazyChunks: all.length - scripts.length };
}

/** A straight line of `count` echo steps, placed, between start and end. */
function bigFlow(name, count) {
  const nodes = [{ id: 'start', kind: 'start', ui: { x: 0, y: 0 } }];
  const edges = [];
  let previous = 'start';
  for (let i = 0; i < count; i += 1) {
    const id = `s${i}`;
    nodes.push({ id, kind: 'step', plugin: 'echo', input: { message: `step ${i}` }, ui: { x: (i % 40) * 220, y: 120 + Math.floor(i / 40) * 140 } });
    edges.push({ from: previous, to: id });
    previous = id;
  }
  nodes.push({ id: 'end', kind: 'end', ui: { x: 0, y: 120 + Math.ceil(count / 40) * 140 } });
  edges.push({ from: previous, to: 'end' });
  return { name, nodes, edges };
}

async function openEditor(page, server, flow, expectedNodes) {
  const started = Date.now();
  await page.goto(`${server.url}/t/default/flows/${flow}`);
  await page.waitForFunction(
    (n) => document.querySelectorAll('.react-flow__node').length >= n,
    Math.min(expectedNodes, 1),
    { timeout: 60_000 },
  );
  // Ready to edit: the canvas drawn, the palette offered and the flow validated (the problems panel says so).
  await page.locator('.react-flow__node').first().waitFor();
  await page.getByRole('heading', { name: /^Problems \(\d+\)$/ }).waitFor();
  return Date.now() - started;
}

/** Frame durations (ms) while dragging the first step node across the canvas. */
async function dragFrames(page) {
  const node = page.locator('.react-flow__node').nth(1);
  const box = await node.boundingBox();
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (window.__frames.length < 2000 && !window.__stopFrames) requestAnimationFrame(tick);
    };
    window.__stopFrames = false;
    requestAnimationFrame(tick);
  });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 40; i += 1) await page.mouse.move(box.x + box.width / 2 + i * 6, box.y + box.height / 2 + i * 3);
  await page.mouse.up();
  const frames = await page.evaluate(() => {
    window.__stopFrames = true;
    return window.__frames.slice(1);
  });
  return { p95: [...frames].sort((a, b) => a - b)[Math.floor(frames.length * 0.95)] ?? 0, max: Math.max(...frames), frames: frames.length };
}

async function liveForeach(page, server) {
  const flow = {
    name: 'fan200',
    nodes: [
      { id: 'start', kind: 'start', ui: { x: 0, y: 0 } },
      { id: 'each', kind: 'foreach', items: 'inputs.items', concurrency: 20, body: { plugin: 'echo', input: { message: '${item}' } }, ui: { x: 0, y: 150 } },
      { id: 'end', kind: 'end', ui: { x: 0, y: 300 } },
    ],
    edges: [{ from: 'start', to: 'each' }, { from: 'each', to: 'end' }],
    inputs: { type: 'object', properties: { items: { type: 'array', items: { type: 'string' } } } },
  };
  await apiCall(server, 'PUT', '/api/v1/tenants/default/flows/fan200/draft', flow);
  await apiCall(server, 'POST', '/api/v1/tenants/default/flows/fan200/versions');
  const items = Array.from({ length: 200 }, (_, i) => `item-${i}`);
  const run = await apiCall(server, 'POST', '/api/v1/tenants/default/flows/fan200/runs?wait_ms=0', { input: { items } });
  const started = Date.now();
  await page.goto(`${server.url}/t/default/runs/${run.id}`);
  await page.waitForFunction(() => /succeeded|成功/.test(document.querySelector('main')?.innerText ?? ''), null, { timeout: 120_000 });
  const shown = Date.now() - started;
  const final = await apiCall(server, 'GET', `/api/v1/tenants/default/runs/${run.id}`);
  return { ms: shown, status: final.status };
}

const server = await startServer();
const browser = await launchBrowser();
try {
  const js = initialJavaScript();
  console.log(`initial JavaScript: ${js.kib.toFixed(1)} KiB gzipped (${js.files.join(', ')}; ${js.lazyChunks} chunks load lazily) — budget 350 KiB`);

  const page = await newPage(browser);
  await login(page, server);
  const opens = [];
  for (let i = 0; i < 5; i += 1) opens.push(await openEditor(page, server, 'version-release', 16));
  console.log(`editor opens version-release ready to edit: median ${median(opens)} ms (${opens.join(', ')}) — budget 1,000 ms`);

  await apiCall(server, 'PUT', '/api/v1/tenants/default/flows/big/draft', bigFlow('big', 1000));
  const bigOpens = [];
  for (let i = 0; i < 3; i += 1) bigOpens.push(await openEditor(page, server, 'big', 1002));
  console.log(`editor opens a 1,000-node flow: median ${median(bigOpens)} ms (${bigOpens.join(', ')}) — budget 2,000 ms`);
  const drag = await dragFrames(page);
  console.log(`dragging a node in it: p95 frame ${drag.p95.toFixed(1)} ms, worst ${drag.max.toFixed(1)} ms over ${drag.frames} frames — budget 50 ms per frame`);

  const live = await liveForeach(page, server);
  console.log(`live view of a 200-item foreach run: ${live.status} shown ${live.ms} ms after the view opened`);
} finally {
  await browser.close();
  await server.stop();
}
