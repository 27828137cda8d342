#!/usr/bin/env node
// Build a TypeScript/JavaScript step into a scena plugin component.
//
//   node plugins/js-sdk/build.mjs [PROJECT_DIR] [-o OUT.wasm] [--entry FILE] [--wit DIR]
//                                 [--allow-undeclared] [--meta-only] [-q]
//   (installed as a package: `npx scena-plugin-build …`)
//
// PROJECT_DIR (default .) holds the step: `--entry`, else package.json's
// `scena.entry`, else the first of src/step.ts, step.ts, src/index.ts,
// index.ts, step.js, index.js. Its default export is a `defineStep({...})`.
//
// 1. esbuild bundles the step with the SDK into one ES module, leaving the
//    `scena:plugin/*` imports external; the atoms the bundle still imports
//    after tree-shaking are the atoms the step uses.
// 2. A second bundle, with those imports stubbed, is imported natively (this
//    node) to read the step's metadata: name, version, schemas and the
//    capabilities declared once, in the code.
// 3. An atom used but not declared stops the build (scena would refuse to load
//    the component); --allow-undeclared builds it anyway (the hostile corpus
//    uses that to prove the refusal).
// 4. A trimmed copy of the WIT world importing only the declared (and, with
//    --allow-undeclared, the used) atoms is written: componentize-js imports
//    every interface of the world it is given, and scena refuses a component
//    importing an atom its step does not declare.
// 5. componentize-js builds the component (WASI http/fetch-event disabled:
//    scena has no wasi:http; clocks, random and stdio stay). The last line on
//    stdout is the path of the .wasm.
//
// The WIT folder is --wit, else $SCENA_WIT_DIR, else host-api/wit of the
// source tree this SDK sits in. The toolchain (esbuild, componentize-js,
// TypeBox) is taken from $SCENA_JS_TOOLCHAIN (a folder with node_modules, as
// plugins/polyglot.sh installs it), else from this package's node_modules.
//
// Exit codes: 0 built, 1 the step or its project is wrong, 2 usage,
// 3 the toolchain is missing or failed.

import { existsSync, realpathSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, mkdirSync, statSync, cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SDK_DIR = dirname(fileURLToPath(import.meta.url));
const ATOMS = ['log', 'kv', 'secrets', 'http', 'cmdb', 'job', 'notify'];
const WORLD = 'step';
const ENTRIES = ['src/step.ts', 'step.ts', 'src/index.ts', 'index.ts', 'step.js', 'index.js'];

class BuildError extends Error {
  constructor(message, code = 1) {
    super(message);
    this.code = code;
  }
}

function parseArgs(argv) {
  const args = { project: '.', out: null, entry: null, wit: null, allowUndeclared: false, metaOnly: false, quiet: false };
  const rest = [...argv];
  let positional = 0;
  while (rest.length) {
    const a = rest.shift();
    const value = () => {
      if (!rest.length) throw new BuildError(`${a} needs a value`, 2);
      return rest.shift();
    };
    if (a === '-o' || a === '--out') args.out = value();
    else if (a === '--entry') args.entry = value();
    else if (a === '--wit') args.wit = value();
    else if (a === '--allow-undeclared') args.allowUndeclared = true;
    else if (a === '--meta-only') args.metaOnly = true;
    else if (a === '-q' || a === '--quiet') args.quiet = true;
    else if (a === '-h' || a === '--help') {
      const text = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
      process.stdout.write(text.slice(1, text.findIndex((l) => l.startsWith('import'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
      process.exit(0);
    } else if (a.startsWith('-')) throw new BuildError(`unknown option ${a}`, 2);
    else if (positional++ === 0) args.project = a;
    else throw new BuildError(`unexpected argument ${a}`, 2);
  }
  return args;
}

function findWit(explicit) {
  for (const c of [explicit, process.env.SCENA_WIT_DIR, join(SDK_DIR, '..', '..', 'host-api', 'wit')]) {
    if (c && existsSync(join(c, 'step.wit'))) return resolve(c);
  }
  throw new BuildError(
    'cannot find the scena WIT world (step.wit): pass --wit DIR or set SCENA_WIT_DIR to the host-api/wit folder of the scena source tree',
  );
}

/** Find a package's folder from `from`, walking up node_modules folders as node does. */
function packageDir(name, from) {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

async function loadToolchain() {
  const root = process.env.SCENA_JS_TOOLCHAIN ? resolve(process.env.SCENA_JS_TOOLCHAIN) : SDK_DIR;
  const missing = () =>
    new BuildError(
      `the JS toolchain is not installed in ${root}: run \`npm ci\` there (or plugins/polyglot.sh, which installs it under target/polyglot/)`,
      3,
    );
  const esbuildDir = packageDir('esbuild', root);
  const componentizeDir = packageDir('@bytecodealliance/componentize-js', root);
  if (!esbuildDir || !componentizeDir || !packageDir('@sinclair/typebox', root)) throw missing();
  const require = createRequire(join(root, 'package.json'));
  const esbuild = require(require.resolve('esbuild', { paths: [root] }));
  const pkg = JSON.parse(readFileSync(join(componentizeDir, 'package.json'), 'utf8'));
  const main = typeof pkg.exports === 'string' ? pkg.exports : pkg.exports?.import ?? pkg.exports?.['.']?.import ?? pkg.main;
  const { componentize } = await import(pathToFileURL(join(componentizeDir, main)).href);
  return { root, esbuild, componentize, versions: { componentizeJs: pkg.version } };
}

function findEntry(project, explicit) {
  if (explicit) {
    const p = resolve(project, explicit);
    if (!existsSync(p)) throw new BuildError(`entry ${p} does not exist`);
    return p;
  }
  const manifest = join(project, 'package.json');
  if (existsSync(manifest)) {
    const entry = JSON.parse(readFileSync(manifest, 'utf8')).scena?.entry;
    if (entry) return findEntry(project, entry);
  }
  for (const e of ENTRIES) if (existsSync(join(project, e))) return join(project, e);
  throw new BuildError(`${project} has no step module (${ENTRIES.join(', ')}; or --entry FILE)`);
}

const WORLD_BLOCK = new RegExp(`(world\\s+${WORLD}\\s*\\{)([\\s\\S]*?)(\\n\\})`);
const IMPORT = /^[ \t]*import[ \t]+([a-z][a-z0-9-]*)[ \t]*;[ \t]*\n/gm;

/** The atoms the full world imports, as step.wit declares them. */
function worldAtoms(witDir) {
  const text = readFileSync(join(witDir, 'step.wit'), 'utf8');
  const block = WORLD_BLOCK.exec(text);
  if (!block) throw new BuildError(`${join(witDir, 'step.wit')} has no \`world ${WORLD}\` block`);
  return [...block[2].matchAll(IMPORT)].map((m) => m[1]);
}

/** Copy the WIT package to `outDir`, the world importing only `keep`. */
export function trimWorld(witDir, keep, outDir) {
  const imported = worldAtoms(witDir);
  const unknown = imported.filter((a) => !ATOMS.includes(a));
  if (unknown.length) {
    throw new BuildError(`the WIT world imports ${unknown.join(', ')}, which this SDK does not know: update @scena/plugin to the new host-api`);
  }
  const missing = [...keep].filter((a) => !imported.includes(a));
  if (missing.length) throw new BuildError(`the WIT world has no atom ${missing.join(', ')}`);
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(witDir)) {
    if (!f.endsWith('.wit')) continue;
    let text = readFileSync(join(witDir, f), 'utf8');
    if (f === 'step.wit') {
      text = text.replace(WORLD_BLOCK, (_, open, body, close) => open + body.replace(IMPORT, (line, atom) => (keep.has(atom) ? line : '')) + close);
    }
    writeFileSync(join(outDir, f), text);
  }
  if (existsSync(join(witDir, 'deps'))) cpSync(join(witDir, 'deps'), join(outDir, 'deps'), { recursive: true });
  return imported.filter((a) => keep.has(a));
}

function wrapper(entry) {
  return [
    `import step from ${JSON.stringify(entry)};`,
    `import { toHandler } from ${JSON.stringify(join(SDK_DIR, 'src', 'glue.ts'))};`,
    'export const handler = toHandler(step);',
    'export { step };',
  ].join('\n');
}

async function bundle(esbuild, toolchainRoot, project, entry, outfile, stubAtoms) {
  const stub = {
    name: 'scena-atom-stubs',
    setup(build) {
      build.onResolve({ filter: /^scena:plugin\// }, (a) => ({ path: a.path, namespace: 'scena-stub' }));
      build.onLoad({ filter: /.*/, namespace: 'scena-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
    },
  };
  const sdk = {
    name: 'scena-sdk',
    setup(build) {
      build.onResolve({ filter: /^@scena\/plugin$/ }, () => ({ path: join(SDK_DIR, 'src', 'index.ts') }));
    },
  };
  const nodeModules = [];
  for (let dir = toolchainRoot; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) nodeModules.push(join(dir, 'node_modules'));
    if (dirname(dir) === dir) break;
  }
  try {
    return await esbuild.build({
      stdin: { contents: wrapper(entry), resolveDir: project, sourcefile: 'scena-step-entry.js', loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2022',
      outfile,
      write: true,
      metafile: true,
      treeShaking: true,
      logLevel: 'silent',
      nodePaths: nodeModules,
      external: stubAtoms ? [] : ['scena:plugin/*'],
      plugins: stubAtoms ? [sdk, stub] : [sdk],
    });
  } catch (e) {
    const messages = (e.errors ?? []).map((m) => `${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`);
    throw new BuildError(`bundling ${entry} failed:\n${messages.join('\n') || e.message}`);
  }
}

export async function build(options) {
  const started = Date.now();
  const project = resolve(options.project ?? '.');
  if (!existsSync(project) || !statSync(project).isDirectory()) throw new BuildError(`${project} is not a directory`);
  const entry = findEntry(project, options.entry);
  const witDir = findWit(options.wit);
  const tool = await loadToolchain();
  const tmp = mkdtempSync(join(tmpdir(), 'scena-js-build-'));
  try {
    // 1. the component's bundle; the atoms it still imports are the used ones.
    const bundled = await bundle(tool.esbuild, tool.root, project, entry, join(tmp, 'step.js'), false);
    const used = new Set();
    for (const out of Object.values(bundled.metafile.outputs)) {
      for (const imp of out.imports ?? []) {
        const m = /^scena:plugin\/([a-z][a-z0-9-]*)@/.exec(imp.path);
        if (m && m[1] !== 'types') used.add(m[1]);
      }
    }
    // 2. the metadata, read natively from a bundle with the atoms stubbed.
    await bundle(tool.esbuild, tool.root, project, entry, join(tmp, 'meta.mjs'), true);
    let meta;
    try {
      const mod = await import(pathToFileURL(join(tmp, 'meta.mjs')).href);
      if (!mod.step || typeof mod.step.meta !== 'function') {
        throw new Error('the default export is not a step: export default defineStep({...})');
      }
      meta = mod.step.meta();
      const described = mod.handler.describe();
      if (described.name !== meta.name) throw new Error('describe() disagrees with the step');
    } catch (e) {
      throw new BuildError(`loading the step ${entry} failed: ${e.stack ?? e}`);
    }
    const declared = new Set(meta.capabilities);
    const undeclared = ATOMS.filter((a) => used.has(a) && !declared.has(a));
    if (undeclared.length && !options.allowUndeclared) {
      throw new BuildError(
        `step \`${meta.name}\` uses ${undeclared.map((a) => `the \`${a}\` atom`).join(', ')} but does not declare ` +
          `${undeclared.map((a) => `the \`${a}\` capability`).join(', ')}: add ${JSON.stringify(undeclared)} to its capabilities ` +
          '(scena refuses to load it otherwise)',
      );
    }
    if (undeclared.length && !options.quiet) {
      process.stderr.write(`warning: building \`${meta.name}\` with undeclared atoms ${undeclared.join(', ')}: scena will refuse it\n`);
    }
    const keep = new Set([...declared, ...used]);
    const info = { entry, meta, used: ATOMS.filter((a) => used.has(a)), imports: ATOMS.filter((a) => keep.has(a)) };
    if (options.metaOnly) return { out: null, info };
    // 3. the trimmed world, 4. the component.
    trimWorld(witDir, keep, join(tmp, 'wit'));
    let result;
    try {
      result = await tool.componentize({
        sourcePath: join(tmp, 'step.js'),
        witPath: join(tmp, 'wit'),
        worldName: WORLD,
        disableFeatures: ['http', 'fetch-event'],
      });
    } catch (e) {
      throw new BuildError(`componentize-js failed: ${e.stack ?? e}`, 3);
    }
    const out = resolve(options.out ?? join(project, 'build', `${meta.name}.wasm`));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(`${out}.partial`, result.component);
    renameSync(`${out}.partial`, out);
    if (!options.quiet) {
      const size = (result.component.length / 1048576).toFixed(1);
      process.stderr.write(
        `built ${meta.name}@${meta.version} (${size} MiB, imports ${info.imports.join(', ') || 'no atoms'}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    }
    return { out, info };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  try {
    const args = parseArgs(process.argv.slice(2));
    const { out, info } = await build(args);
    process.stdout.write(out ? `${out}\n` : `${JSON.stringify(info, null, 2)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof BuildError) {
      process.stderr.write(`error: ${e.message}\n`);
      return e.code;
    }
    process.stderr.write(`error: ${e.stack ?? e}\n`);
    return 3;
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  process.exitCode = await main();
}
