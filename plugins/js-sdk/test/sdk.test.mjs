// node --test test/  (needs the toolchain: npm ci here, or SCENA_JS_TOOLCHAIN
// pointing at the folder plugins/polyglot.sh installs it into)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build, trimWorld } from '../build.mjs';

const SDK = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = resolve(SDK, '..', '..');
const WIT = join(REPO, 'host-api', 'wit');
const ATOMS = ['log', 'kv', 'secrets', 'http', 'cmdb', 'job', 'notify'];
const TOOLCHAIN = process.env.SCENA_JS_TOOLCHAIN ? resolve(process.env.SCENA_JS_TOOLCHAIN) : SDK;
const esbuild = createRequire(join(TOOLCHAIN, 'package.json'))('esbuild');

const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const pascal = (s) => camel(s).replace(/^[a-z]/, (c) => c.toUpperCase());

/** The blocks `head { … }` of `text`, braces balanced. */
function blocks(text, head) {
  const found = new Map();
  for (const m of text.matchAll(head)) {
    let depth = 0;
    let i = text.indexOf('{', m.index);
    const start = i;
    for (; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) break;
    }
    found.set(m[1], text.slice(start + 1, i));
  }
  return found;
}

test('wit.d.ts declares what host-api/wit defines (functions and record fields)', () => {
  const wit = readFileSync(join(WIT, 'types.wit'), 'utf8').replace(/\/\/.*$/gm, '');
  const dts = readFileSync(join(SDK, 'src', 'wit.d.ts'), 'utf8').replace(/\/\/.*$/gm, '');
  const interfaces = blocks(wit, /^interface ([a-z-]+) \{/gm);
  const version = readFileSync(join(WIT, 'types.wit'), 'utf8').match(/^package scena:plugin@([0-9.]+);/m)[1];
  const modules = blocks(dts, new RegExp(`^declare module 'scena:plugin\\/([a-z-]+)@${version.replaceAll('.', '\\.')}' \\{`, 'gm'));
  assert.deepEqual([...interfaces.keys()].filter((i) => i !== 'types').sort(), [...modules.keys()].filter((m) => m !== 'types').sort());
  for (const atom of ATOMS) {
    const body = interfaces.get(atom);
    const declared = modules.get(atom);
    const funcs = [...body.matchAll(/^\s*([a-z-]+): func\(/gm)].map((m) => camel(m[1])).sort();
    const exported = [...declared.matchAll(/export function ([A-Za-z_]+)\(/g)].map((m) => m[1].replace(/_$/, '')).sort();
    assert.deepEqual(exported, funcs, `functions of ${atom}`);
    for (const [name, fields] of blocks(body, /record ([a-z-]+) \{/g)) {
      const want = [...fields.matchAll(/^\s*([a-z-]+):/gm)].map((m) => camel(m[1])).sort();
      const iface = blocks(declared, new RegExp(`export interface (${pascal(name)}) \\{`, 'g')).get(pascal(name));
      assert.ok(iface !== undefined, `${atom}.${name} is not declared`);
      const got = [...iface.matchAll(/^\s*([A-Za-z]+)\??:/gm)].map((m) => m[1]).sort();
      assert.deepEqual(got, want, `fields of ${atom}.${name}`);
    }
  }
});

test('a trimmed world imports only the kept atoms and keeps the rest of the package', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'scena-js-sdk-test-'));
  try {
    assert.deepEqual(trimWorld(WIT, new Set(['http', 'log']), join(tmp, 'a')), ['log', 'http']);
    const trimmed = readFileSync(join(tmp, 'a', 'step.wit'), 'utf8');
    assert.match(trimmed, /import log;\s*import http;\s*export handler;/);
    assert.equal(readFileSync(join(tmp, 'a', 'types.wit'), 'utf8'), readFileSync(join(WIT, 'types.wit'), 'utf8'));
    assert.deepEqual(trimWorld(WIT, new Set(), join(tmp, 'b')), []);
    assert.throws(() => trimWorld(WIT, new Set(['sockets']), join(tmp, 'c')), /has no atom sockets/);
    const full = readFileSync(join(WIT, 'step.wit'), 'utf8');
    assert.deepEqual([...full.matchAll(/^\s*import ([a-z-]+);/gm)].map((m) => m[1]), ATOMS, 'the SDK knows every atom of the world');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the build reads the metadata natively and sees which atoms the bundle uses', async () => {
  const { out, info } = await build({ project: join(REPO, 'samples', 'plugins', 'js', 'json-transform'), metaOnly: true });
  assert.equal(out, null);
  assert.equal(info.meta.name, 'json-transform');
  assert.deepEqual(info.used, ['log']);
  assert.equal(info.meta.inputSchema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.deepEqual(info.meta.inputSchema.required, ['data']);
});

test('an undeclared atom stops the build unless allowed', async () => {
  const project = join(REPO, 'tests', 'guests-js', 'undeclared-import');
  await assert.rejects(build({ project, metaOnly: true }), /does not declare the `http` capability/);
  const { info } = await build({ project, metaOnly: true, allowUndeclared: true, quiet: true });
  assert.deepEqual(info.imports, ['http']);
});

// The glue and the wrappers, bundled with fake atoms that record their calls.
async function harness() {
  const tmp = mkdtempSync(join(tmpdir(), 'scena-js-sdk-test-'));
  const fakes = {
    name: 'fake-atoms',
    setup(b) {
      b.onResolve({ filter: /^scena:plugin\// }, (a) => ({ path: a.path, namespace: 'fake' }));
      b.onLoad({ filter: /.*/, namespace: 'fake' }, (a) => {
        const atom = /scena:plugin\/([a-z-]+)@/.exec(a.path)[1];
        return {
          contents: `const f = (name) => (...args) => globalThis.fakeAtoms(${JSON.stringify(atom)}, name, args);
            export const write = f('write'), get = f('get'), set = f('set'), increment = f('increment'),
              compareAndSwap = f('compareAndSwap'), listKeys = f('listKeys'), send = f('send'), findHosts = f('findHosts'),
              getHost = f('getHost'), start = f('start'), startAt = f('startAt'), pushFile = f('pushFile'),
              status = f('status'), cancel = f('cancel');
            const del = f('delete'); export { del as delete };`,
          loader: 'js',
        };
      });
    },
  };
  const entry = `export * from ${JSON.stringify(join(SDK, 'src', 'index.ts'))};
    export { toHandler } from ${JSON.stringify(join(SDK, 'src', 'glue.ts'))};`;
  await esbuild.build({
    stdin: { contents: entry, resolveDir: SDK, loader: 'js' },
    bundle: true, format: 'esm', platform: 'neutral', outfile: join(tmp, 'h.mjs'), logLevel: 'silent',
    nodePaths: [join(TOOLCHAIN, 'node_modules')], plugins: [fakes],
  });
  const mod = await import(pathToFileURL(join(tmp, 'h.mjs')).href);
  rmSync(tmp, { recursive: true, force: true });
  return mod;
}

const ctx = { tenant: 't', runId: 'r', nodeId: 'n', attempt: 2, idempotencyKey: 'r:n' };

test('the handler answers describe, run and poll as the WIT says', async () => {
  const sdk = await harness();
  const { Type, defineStep, done, pending, Fatal, AtomError, toHandler } = sdk;
  const step = defineStep({
    name: 'probe', version: '0.1.0', title: 'Probe', description: 'd', capabilities: ['http', 'log'],
    input: Type.Object({ mode: Type.String() }), output: Type.Unknown(),
    run(c, input) {
      if (input.mode === 'pending') return pending({ key: c.idempotencyKey }, 7);
      if (input.mode === 'fatal') throw new Fatal('no');
      if (input.mode === 'denied') throw new AtomError('denied', 'host `x` is not granted');
      if (input.mode === 'failed') throw new AtomError('failed', 'timeout');
      if (input.mode === 'cycle') { const a = {}; a.a = a; return done(a); }
      return done({ attempt: c.attempt });
    },
  });
  const h = toHandler(step);
  const meta = h.describe();
  assert.deepEqual(meta.capabilities, ['log', 'http']);
  assert.deepEqual(JSON.parse(meta.inputSchema).required, ['mode']);
  assert.deepEqual(h.run(ctx, '{"mode":"done"}'), { tag: 'done', val: '{"attempt":2}' });
  assert.deepEqual(h.run(ctx, '{"mode":"pending"}'), { tag: 'pending', val: { state: '{"key":"r:n"}', afterMs: 7 } });
  for (const [mode, tag, val] of [['fatal', 'fatal', 'no'], ['denied', 'denied', 'host `x` is not granted'], ['failed', 'retryable', 'timeout']]) {
    assert.throws(() => h.run(ctx, JSON.stringify({ mode })), (e) => e.tag === tag && e.val === val);
  }
  assert.throws(() => h.run(ctx, '{"mode":"cycle"}'), (e) => e.tag === 'fatal' && /cannot serialise output/.test(e.val));
  assert.throws(() => h.run(ctx, 'nope'), (e) => e.tag === 'invalid-input');
  assert.throws(() => h.poll(ctx, '{}'), (e) => e.tag === 'fatal' && e.val === 'probe never returns pending, so it cannot be polled');
  assert.throws(() => defineStep({ ...step, name: 'Bad Name' }), /must match/);
  assert.throws(() => defineStep({ ...step, capabilities: ['sockets'] }), /unknown capabilities/);
});

test('long strings are serialised in slices, to the same JSON', async () => {
  const { Type, defineStep, done, toHandler } = await harness();
  // 'x' first: a slice boundary (every 65,536 units) falls inside a surrogate pair.
  const long = 'x' + 'a"\\\n'.repeat(20000) + '\u{1F600}'.repeat(70000) + 'end';
  const value = { long, list: [long, 'short', { deep: long }], n: 1 };
  const h = toHandler(defineStep({
    name: 'big', version: '0.1.0', title: 't', description: 'd', input: Type.Unknown(), output: Type.Unknown(),
    run(_c, input) { return done(input.root ? long : value); },
  }));
  const out = h.run(ctx, '{}');
  assert.deepEqual(JSON.parse(out.val), value);
  assert.equal(JSON.parse(h.run(ctx, '{"root": true}').val), long);
});

test('an unexpected throw traps with the message last on stderr', async () => {
  const { Type, defineStep, toHandler } = await harness();
  const h = toHandler(defineStep({
    name: 'boom', version: '0.1.0', title: 't', description: 'd', input: Type.Unknown(), output: Type.Unknown(),
    run() { throw new Error('gave up'); },
  }));
  const errors = [];
  const original = console.error;
  console.error = (m) => errors.push(m);
  let thrown;
  try { h.run(ctx, '{}'); } catch (e) { thrown = e; } finally { console.error = original; }
  assert.match(errors.join('\n'), /Error: gave up/);
  assert.throws(() => thrown.tag, (e) => e === 'boom: run threw Error: gave up');
});

test('the atom wrappers call the WIT imports with the WIT shapes', async () => {
  const { log, kv, secrets, http, cmdb, job, notify, AtomError } = await harness();
  const calls = [];
  const answers = {
    'kv.get': '{"n":1}', 'kv.increment': 3n, 'kv.delete': true, 'kv.compareAndSwap': true, 'kv.listKeys': ['a'],
    'http.send': { status: 201, headers: [['Content-Type', 'text/plain']], body: new TextEncoder().encode('hi') },
    'cmdb.findHosts': [{ id: 'h1', hostname: 'a', ip: '10.0.0.1', labels: [['zone', 'eu-1']] }],
    'cmdb.getHost': undefined, 'job.start': 'j', 'job.startAt': 'k', 'job.status': { id: 'j', state: 'running', hosts: [] },
  };
  globalThis.fakeAtoms = (atom, name, args) => {
    calls.push([`${atom}.${name}`, args]);
    if (atom === 'secrets') throw Object.assign(new Error('x'), { payload: { tag: 'denied', val: 'secret `ROOT` is not granted' } });
    return answers[`${atom}.${name}`];
  };
  log.info('hello');
  assert.deepEqual(kv.get('k'), { n: 1 });
  kv.set('k', { a: [1] });
  assert.equal(kv.increment('c'), 3);
  assert.equal(kv.delete('k'), true);
  kv.compareAndSwap('k', kv.ABSENT, 1);
  kv.compareAndSwap('k', null, 2);
  assert.deepEqual(kv.listKeys('a', 5), ['a']);
  assert.throws(() => secrets.get('ROOT'), (e) => e instanceof AtomError && e.kind === 'denied' && e.detail === 'secret `ROOT` is not granted');
  const r = http.post('http://h/x', { json: { a: 1 }, headers: { 'X-Key': 'k' }, timeoutMs: 50 });
  assert.equal(r.ok, true);
  assert.equal(r.text(), 'hi');
  assert.equal(r.header('content-type'), 'text/plain');
  assert.deepEqual(cmdb.findHosts('zone=eu-1'), [{ id: 'h1', hostname: 'a', ip: '10.0.0.1', labels: { zone: 'eu-1' } }]);
  assert.equal(cmdb.getHost('x'), undefined);
  assert.equal(job.start({ hosts: ['h1'], script: 'true', idempotencyKey: 'r:n' }), 'j');
  assert.equal(job.finished(job.status('j').state), false);
  assert.equal(job.start({ hosts: ['h1'], script: 'true', idempotencyKey: 'r:m', at: '2026-12-24T18:00:00Z' }), 'k');
  notify.send({ channel: 'ops-chat', to: ['oncall'], subject: 's', body: 'b' });
  const byName = Object.fromEntries(calls.map(([n, a]) => [n, a]));
  assert.deepEqual(calls[0], ['log.write', ['info', 'hello']]);
  assert.deepEqual(byName['kv.set'], ['k', '{"a":[1]}']);
  assert.deepEqual(byName['kv.increment'], ['c', 1n]);
  assert.deepEqual(calls.filter(([n]) => n === 'kv.compareAndSwap').map(([, a]) => a), [['k', undefined, '1'], ['k', 'null', '2']]);
  const sent = byName['http.send'][0];
  assert.deepEqual({ ...sent, body: new TextDecoder().decode(sent.body) }, {
    method: 'POST', url: 'http://h/x', headers: [['X-Key', 'k'], ['content-type', 'application/json']], body: '{"a":1}', timeoutMs: 50,
  });
  assert.deepEqual(byName['job.start'][0], { hosts: ['h1'], script: 'true', interpreter: 'bash', account: 'root', timeoutMs: 60000, idempotencyKey: 'r:n' });
  assert.deepEqual(byName['job.startAt'], [
    { hosts: ['h1'], script: 'true', interpreter: 'bash', account: 'root', timeoutMs: 60000, idempotencyKey: 'r:m' }, '2026-12-24T18:00:00Z',
  ]);
  assert.deepEqual(byName['notify.send'][0], { channel: 'ops-chat', to: ['oncall'], subject: 's', body: 'b' });
});
