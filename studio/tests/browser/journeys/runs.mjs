// The runs pages in a real browser: start a run from the generated form and
// watch it live, approve, retry with an edited input, cancel, and a viewer
// who is offered no control (and refused by the API anyway).
import { apiCall, assert, login, makeMember, newPage } from '../harness.mjs';

const FLOWS = '/api/v1/tenants/default/flows';
const RUNS = '/api/v1/tenants/default/runs';

async function publish(server, flow) {
  await apiCall(server, 'PUT', `${FLOWS}/${flow.name}/draft`, flow);
  await apiCall(server, 'POST', `${FLOWS}/${flow.name}/versions`);
}

async function startRun(server, name, input) {
  return apiCall(server, 'POST', `${FLOWS}/${name}/runs?wait_ms=0`, { input });
}

/** Poll `check` until it answers truthy or `ms` pass. */
async function eventually(what, check, ms = 20_000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

async function runStatus(server, id) {
  return (await apiCall(server, 'GET', `${RUNS}/${id}`)).status;
}

/** The run's status as the page's header shows it. */
function headerStatus(page) {
  return page.locator('.runs-view-header .runs-badge').first();
}

async function waitForHeaderStatus(page, word) {
  await page.locator('.runs-view-header .runs-badge', { hasText: new RegExp(`^${word}$`) }).first().waitFor({ timeout: 20_000 });
}

function timelineRow(page, node) {
  return page.locator(`.runs-timeline-row[data-node="${node}"]`);
}

function noPageErrors(page) {
  const errors = page.scenaErrors.filter((e) => !/Failed to load resource/.test(e));
  assert(errors.length === 0, `no page errors: ${errors.join('\n')}`);
}

const approvalFlow = (name) => ({
  name,
  inputs: { type: 'object', required: ['zone'], properties: { zone: { type: 'string' } } },
  nodes: [
    { id: 'start', kind: 'start', ui: { x: 0, y: 0 } },
    { id: 'count', kind: 'step', plugin: 'kv', input: { op: 'increment', key: '${inputs.zone}' }, ui: { x: 0, y: 120 } },
    { id: 'gate', kind: 'approval', assignees: ['role:operator'], ui: { x: 0, y: 240 } },
    { id: 'end', kind: 'end', output: { count: '${steps.count.output.value}', by: '${steps.gate.output.by}' }, ui: { x: 0, y: 360 } },
  ],
  edges: [
    { from: 'start', to: 'count' },
    { from: 'count', to: 'gate' },
    { from: 'gate', to: 'end' },
  ],
});

export const journeys = [
  {
    name: 'a run started from the generated form is watched live to success, and a node output opened',
    async run({ server, browser }) {
      await publish(server, {
        name: 'greet',
        inputs: {
          type: 'object',
          required: ['zone', 'count'],
          properties: { zone: { type: 'string', title: 'zone' }, count: { type: 'integer', title: 'count' } },
        },
        nodes: [
          { id: 'start', kind: 'start', ui: { x: 0, y: 0 } },
          { id: 'hello', kind: 'step', plugin: 'standin', input: { action: 'greet', target: '${inputs.zone}' }, ui: { x: 0, y: 120 } },
          { id: 'hold', kind: 'wait', duration_ms: 4000, ui: { x: 0, y: 240 } },
          { id: 'bump', kind: 'step', plugin: 'add', input: { n: '${inputs.count}' }, ui: { x: 0, y: 360 } },
          { id: 'end', kind: 'end', output: { n: '${steps.bump.output.n}' }, ui: { x: 0, y: 480 } },
        ],
        edges: [
          { from: 'start', to: 'hello' },
          { from: 'hello', to: 'hold' },
          { from: 'hold', to: 'bump' },
          { from: 'bump', to: 'end' },
        ],
      });
      const page = await newPage(browser);
      await login(page, server);
      await page.goto(`${server.url}/t/default/flows/greet/run`);
      // The form is generated from the inputs schema; a required field left empty is refused in the page.
      await page.getByLabel(/^zone/).fill('eu-1');
      await page.getByRole('button', { name: 'Start the run' }).click();
      await page.locator('.runs-form .error-detail, .runs-form .errors').first().waitFor();
      assert(page.url().endsWith('/flows/greet/run'), 'an invalid form does not start a run');
      await page.getByLabel(/^count/).fill('41');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/t\/default\/runs\/[^/]+$/);
      const id = page.url().split('/').pop();
      // Live: the run is seen running (the wait holds it), then succeeding without a reload.
      await waitForHeaderStatus(page, 'running');
      await page.locator('.react-flow__node[data-id="hello"]', { hasText: /succeeded/i }).waitFor({ timeout: 20_000 });
      await waitForHeaderStatus(page, 'succeeded');
      assert((await runStatus(server, id)) === 'succeeded', 'the API agrees');
      await page.locator('.react-flow__node[data-id="bump"]', { hasText: /succeeded/i }).waitFor();
      // The timeline has a bar for each node reached, and the wait took its 4 s.
      const held = await timelineRow(page, 'hold').locator('.runs-timeline-duration').textContent();
      assert(/^\d+(\.\d)? s$/.test(held ?? '') && parseFloat(held) >= 3.9, `the wait lasted its time: ${held}`);
      // Open a node's output: choose it on the canvas.
      await page.locator('.react-flow__node[data-id="bump"]').click();
      await page.getByRole('heading', { name: /bump/ }).waitFor();
      const output = await page.getByTestId('node-output').textContent();
      assert(JSON.parse(output).n === 42, `bump's output is 41 + 1: ${output}`);
      // The step's log lines came with the run.
      await timelineRow(page, 'hello').click();
      await page.locator('.runs-log-message', { hasText: 'STAND-IN: would greet on "eu-1"' }).waitFor();
      // The runs list finds it by flow and status.
      await page.goto(`${server.url}/t/default/runs`);
      await page.getByLabel('Flow').selectOption('greet');
      await page.getByLabel('Status').selectOption('succeeded');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.locator(`tr[data-run="${id}"]`).waitFor();
      await page.getByLabel('Status').selectOption('failed');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('No run matches.').waitFor();
      noPageErrors(page);
    },
  },
  {
    name: 'the runs list pages with Load more',
    async run({ server, browser }) {
      await publish(server, {
        name: 'tiny',
        nodes: [
          { id: 'start', kind: 'start' },
          { id: 'end', kind: 'end', output: {} },
        ],
        edges: [{ from: 'start', to: 'end' }],
      });
      for (let i = 0; i < 53; i += 1) await apiCall(server, 'POST', `${FLOWS}/tiny/runs?wait_ms=2000`, { input: {} });
      const page = await newPage(browser);
      await login(page, server);
      await page.goto(`${server.url}/t/default/runs?flow=tiny`);
      await page.locator('tr[data-run]').nth(49).waitFor();
      assert((await page.locator('tr[data-run]').count()) === 50, 'a first page of 50');
      await page.getByRole('button', { name: 'Load more' }).click();
      await page.locator('tr[data-run]').nth(52).waitFor();
      assert((await page.getByRole('button', { name: 'Load more' }).count()) === 0, 'no more pages');
      const ids = await page.locator('tr[data-run]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
      assert(new Set(ids).size === 53, 'no run listed twice');
      // The time range: nothing was created in the future, everything before it.
      await page.getByLabel('Created from').fill('2099-01-01T00:00:00');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('No run matches.').waitFor();
      await page.getByLabel('Created from').fill('');
      await page.getByLabel('Created before').fill('2099-01-01T00:00:00');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.locator('tr[data-run]').nth(49).waitFor();
      assert(/before=/.test(page.url()), 'the filter is in the address');
      noPageErrors(page);
    },
  },
  {
    name: 'the live view keeps up with a 200-item foreach, every item seen to its end',
    async run({ server, browser }) {
      await publish(server, {
        name: 'fan',
        inputs: { type: 'object', properties: { hosts: { type: 'array', items: { type: 'string' } } } },
        nodes: [
          { id: 'start', kind: 'start', ui: { x: 0, y: 0 } },
          { id: 'hold', kind: 'wait', duration_ms: 4000, ui: { x: 0, y: 120 } },
          {
            id: 'each',
            kind: 'foreach',
            items: '${inputs.hosts}',
            concurrency: 20,
            body: { plugin: 'echo', input: { host: '${item}', index: '${index}' } },
            ui: { x: 0, y: 240 },
          },
          { id: 'end', kind: 'end', output: { done: '${size(steps.each.output)}' }, ui: { x: 0, y: 360 } },
        ],
        edges: [
          { from: 'start', to: 'hold' },
          { from: 'hold', to: 'each' },
          { from: 'each', to: 'end' },
        ],
      });
      const hosts = Array.from({ length: 200 }, (_, k) => `host-${k}`);
      const page = await newPage(browser);
      await login(page, server);
      const run = await startRun(server, 'fan', { hosts });
      await page.goto(`${server.url}/t/default/runs/${run.id}`);
      await waitForHeaderStatus(page, 'running');
      await timelineRow(page, 'each').click();
      // The total is known from the run's input before any item starts.
      await page.getByTestId('items-counts').filter({ hasText: /of 200 items/ }).waitFor();
      await waitForHeaderStatus(page, 'succeeded');
      await page.getByTestId('items-counts').filter({ hasText: '200 of 200 items started: 200 succeeded, 0 failed, 0 in progress' }).waitFor();
      assert((await page.locator('.runs-item.runs-bar-succeeded').count()) === 200, 'every item cell shows success');
      // Every event of the run's log was applied: the page's last event id is the stream's.
      const stream = await fetch(`${server.url}${RUNS}/${run.id}/events`, { headers: { authorization: `Bearer ${server.adminToken}` } });
      const ids = [...(await stream.text()).matchAll(/^id: ?(\d+)$/gm)].map((m) => Number(m[1]));
      assert(ids.length > 400, `the stream holds the items' events: ${ids.length}`);
      const applied = Number(await page.getByTestId('stream-status').getAttribute('data-last-seq'));
      assert(applied === Math.max(...ids), `the page applied up to event ${applied} of ${Math.max(...ids)}`);
      // An item's own output and its call.
      await page.getByRole('button', { name: 'Item 137: succeeded' }).click();
      const itemOutput = await page.locator('.runs-item-detail pre').first().textContent();
      assert(JSON.parse(itemOutput).host === 'host-137', `item 137's output: ${itemOutput}`);
      // The keyboard moves through the items with the arrows.
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Enter');
      await page.locator('.runs-item-detail h4', { hasText: 'Item 138' }).waitFor();
      const done = await apiCall(server, 'GET', `${RUNS}/${run.id}`);
      assert(done.output.done === 200, `the run saw 200 items: ${JSON.stringify(done.output)}`);
      noPageErrors(page);
    },
  },
  {
    name: 'an operator approves in the studio and the run continues to success',
    async run({ server, browser }) {
      await publish(server, approvalFlow('guarded'));
      await makeMember(server, 'olga', 'operator');
      const run = await startRun(server, 'guarded', { zone: 'z' });
      await eventually('the gate', async () => (await runStatus(server, run.id)) === 'waiting');
      const page = await newPage(browser);
      await login(page, server, 'olga', 'olga-password');
      await page.goto(`${server.url}/t/default/runs/${run.id}`);
      await waitForHeaderStatus(page, 'waiting');
      await page.locator('.react-flow__node[data-id="gate"]', { hasText: /awaiting decision/i }).waitFor();
      await timelineRow(page, 'gate').click();
      await page.getByRole('button', { name: 'Approve' }).click();
      const dialog = page.getByRole('dialog', { name: 'Approve node gate?' });
      await dialog.getByLabel('Comment (optional)').fill('looks good');
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await page.getByTestId('control-answer').waitFor();
      await waitForHeaderStatus(page, 'succeeded');
      const done = await apiCall(server, 'GET', `${RUNS}/${run.id}`);
      assert(done.status === 'succeeded' && done.output.by === 'olga', `approved by olga: ${JSON.stringify(done.output)}`);
      await page.locator('.react-flow__node[data-id="end"]', { hasText: /succeeded/i }).waitFor();
      noPageErrors(page);
    },
  },
  {
    name: 'a failing step is retried with an edited input and the run then succeeds',
    async run({ server, browser }) {
      await publish(server, {
        name: 'fragile',
        inputs: { type: 'object', properties: { zone: { type: 'string' } } },
        nodes: [
          { id: 'start', kind: 'start', ui: { x: 0, y: 0 } },
          {
            id: 'deploy',
            kind: 'step',
            plugin: 'standin',
            input: { action: 'deploy', target: '${inputs.zone}', fail_for: ['bad'] },
            ui: { x: 0, y: 120 },
          },
          { id: 'end', kind: 'end', output: { target: '${steps.deploy.output.target}' }, ui: { x: 0, y: 240 } },
        ],
        edges: [
          { from: 'start', to: 'deploy' },
          { from: 'deploy', to: 'end' },
        ],
      });
      const run = await startRun(server, 'fragile', { zone: 'bad' });
      await eventually('the failure', async () => (await runStatus(server, run.id)) === 'failed');
      const page = await newPage(browser);
      await login(page, server);
      await page.goto(`${server.url}/t/default/runs/${run.id}`);
      await waitForHeaderStatus(page, 'failed');
      await page.getByTestId('run-error').waitFor();
      await page.locator('.react-flow__node[data-id="deploy"]').click();
      const error = await page.getByTestId('node-error').textContent();
      assert(/stand-in failure/.test(error), `the step's error is shown: ${error}`);
      await page.getByRole('button', { name: 'Retry' }).click();
      const dialog = page.getByRole('dialog', { name: 'Retry node deploy with this input?' });
      const editor = dialog.locator('.cm-content');
      // Prefilled with the node's last input (computed from its mapping).
      const prefilled = JSON.parse(await editor.innerText());
      assert(prefilled.target === 'bad' && prefilled.action === 'deploy', `prefilled: ${JSON.stringify(prefilled)}`);
      await editor.click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.press('Delete');
      // Typed as a person would (CodeMirror closes brackets and quotes itself, so the text goes in as one insert).
      await page.keyboard.insertText('{"action": "deploy", "target": "good", "fail_for": ["bad"]}');
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await page.getByTestId('control-answer').waitFor();
      await waitForHeaderStatus(page, 'succeeded');
      const done = await apiCall(server, 'GET', `${RUNS}/${run.id}`);
      assert(done.status === 'succeeded' && done.output.target === 'good', `retried with the edited input: ${JSON.stringify(done)}`);
      assert((await page.getByTestId('node-attempts').textContent()) === '2', 'the retry is the second attempt');
      noPageErrors(page);
    },
  },
  {
    name: 'a failed step skipped with an output, and a waiting approval force-failed',
    async run({ server, browser }) {
      await publish(server, {
        name: 'brittle',
        nodes: [
          { id: 'start', kind: 'start' },
          { id: 'probe', kind: 'step', plugin: 'standin', input: { action: 'probe', target: 'x', fail_for: ['x'] } },
          { id: 'end', kind: 'end', output: { seen: '${steps.probe.output.target}' } },
        ],
        edges: [
          { from: 'start', to: 'probe' },
          { from: 'probe', to: 'end' },
        ],
      });
      await publish(server, approvalFlow('guarded'));
      const failed = await startRun(server, 'brittle', {});
      await eventually('the failure', async () => (await runStatus(server, failed.id)) === 'failed');
      const page = await newPage(browser);
      await login(page, server);
      await page.goto(`${server.url}/t/default/runs/${failed.id}`);
      await timelineRow(page, 'probe').click();
      await page.getByRole('button', { name: 'Skip', exact: true }).click();
      const skip = page.getByRole('dialog', { name: 'Skip node probe, marking it done with this output?' });
      await skip.locator('.cm-content').click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText('{"target": "by hand"}');
      await skip.getByRole('button', { name: 'Confirm' }).click();
      await waitForHeaderStatus(page, 'succeeded');
      const skipped = await apiCall(server, 'GET', `${RUNS}/${failed.id}`);
      assert(skipped.output.seen === 'by hand', `the skip's output flowed on: ${JSON.stringify(skipped.output)}`);

      const waiting = await startRun(server, 'guarded', { zone: 'z' });
      await eventually('the gate', async () => (await runStatus(server, waiting.id)) === 'waiting');
      await page.goto(`${server.url}/t/default/runs/${waiting.id}`);
      await timelineRow(page, 'gate').click();
      await page.getByRole('button', { name: 'Force fail', exact: true }).click();
      const force = page.getByRole('dialog', { name: /Fail node gate now/ });
      await force.getByLabel('Reason (optional)').fill('window closed');
      await force.getByRole('button', { name: 'Confirm' }).click();
      await waitForHeaderStatus(page, 'failed');
      await page.locator('.react-flow__node[data-id="gate"]', { hasText: /failed/i }).waitFor();
      const error = await page.getByTestId('node-error').textContent();
      assert(/window closed/.test(error), `the node's error says why: ${error}`);
      noPageErrors(page);
    },
  },
  {
    name: 'a run is cancelled',
    async run({ server, browser }) {
      await publish(server, {
        name: 'slow',
        nodes: [
          { id: 'start', kind: 'start' },
          { id: 'hold', kind: 'wait', duration_ms: 600000 },
          { id: 'end', kind: 'end', output: {} },
        ],
        edges: [
          { from: 'start', to: 'hold' },
          { from: 'hold', to: 'end' },
        ],
      });
      const run = await startRun(server, 'slow', {});
      const page = await newPage(browser);
      await login(page, server);
      await page.goto(`${server.url}/t/default/runs/${run.id}`);
      await waitForHeaderStatus(page, 'running');
      // Pause and unpause first: each asks, and the header follows the API's answer.
      await page.getByRole('button', { name: 'Pause', exact: true }).click();
      await page.getByRole('dialog', { name: /Pause this run/ }).getByRole('button', { name: 'Confirm' }).click();
      await waitForHeaderStatus(page, 'paused');
      assert((await runStatus(server, run.id)) === 'paused', 'the API says paused');
      await page.getByRole('button', { name: 'Unpause', exact: true }).click();
      await page.getByRole('dialog', { name: 'Unpause this run?' }).getByRole('button', { name: 'Confirm' }).click();
      await waitForHeaderStatus(page, 'running');
      // Someone else pauses it while the dialog is open: the API refuses the
      // second pause, and the dialog shows its message.
      await page.getByRole('button', { name: 'Pause', exact: true }).click();
      const pause = page.getByRole('dialog', { name: /Pause this run/ });
      await pause.waitFor();
      await apiCall(server, 'POST', `${RUNS}/${run.id}/pause`, {});
      await waitForHeaderStatus(page, 'paused');
      await pause.getByRole('button', { name: 'Confirm' }).click();
      await pause.getByRole('alert').filter({ hasText: /already paused/ }).waitFor();
      await pause.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Cancel run' }).click();
      const dialog = page.getByRole('dialog', { name: /Cancel this run/ });
      await dialog.getByLabel('Reason (optional)').fill('not today');
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await waitForHeaderStatus(page, 'cancelled');
      assert((await runStatus(server, run.id)) === 'cancelled', 'the API agrees');
      await page.getByTestId('run-error').filter({ hasText: 'not today' }).waitFor();
      assert((await page.getByRole('button', { name: 'Cancel run' }).count()) === 0, 'no control on a run that is over');
      await page.getByText('run over: no more events').waitFor();
      noPageErrors(page);
    },
  },
  {
    name: 'a viewer sees no control on a waiting run, and the API refuses one anyway',
    async run({ server, browser }) {
      await publish(server, approvalFlow('guarded'));
      await makeMember(server, 'vera', 'viewer');
      const run = await startRun(server, 'guarded', { zone: 'z' });
      await eventually('the gate', async () => (await runStatus(server, run.id)) === 'waiting');
      const page = await newPage(browser);
      await login(page, server, 'vera', 'vera-password');
      await page.goto(`${server.url}/t/default/runs/${run.id}`);
      await waitForHeaderStatus(page, 'waiting');
      await timelineRow(page, 'gate').click();
      await page.getByRole('heading', { name: /gate/ }).waitFor();
      for (const name of ['Approve', 'Reject', 'Skip', 'Force fail', 'Retry', 'Cancel run', 'Pause', 'Unpause']) {
        assert((await page.getByRole('button', { name, exact: true }).count()) === 0, `no ${name} button for a viewer`);
      }
      const { token } = await apiCall(server, 'POST', '/api/v1/auth/login', { username: 'vera', password: 'vera-password' });
      let refused = null;
      try {
        await apiCall(server, 'POST', `${RUNS}/${run.id}/nodes/gate/approve`, {}, token);
      } catch (error) {
        refused = String(error);
      }
      assert(refused && / 403: /.test(refused), `the API refuses the viewer: ${refused}`);
      assert((await runStatus(server, run.id)) === 'waiting', 'nothing changed');
      // A viewer may not start runs either: the form is not offered.
      await page.goto(`${server.url}/t/default/flows/guarded/run`);
      await page.getByText('Your role may not start runs of this flow.').waitFor();
      assert((await page.getByRole('button', { name: 'Start the run' }).count()) === 0, 'no run form for a viewer');
      assert((await headerStatus(page).count()) === 0, 'left the run page');
      noPageErrors(page);
    },
  },
];
