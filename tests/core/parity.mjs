// Answers the requests in a file with the browser build of scena-core, as the
// studio loads it (the ES module wasm-bindgen made for `--target web`), and
// prints the answers as a JSON array. Usage: node parity.mjs PKG_DIR REQUESTS.json
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [pkg, requestsPath] = process.argv.slice(2);
const core = await import(pathToFileURL(join(pkg, 'scena_core_wasm.js')).href);
core.initSync({ module: readFileSync(join(pkg, 'scena_core_wasm_bg.wasm')) });

const requests = JSON.parse(readFileSync(requestsPath, 'utf8'));
const answers = requests.map((request) =>
  request.expression !== undefined
    ? core.checkExpression(request.expression)
    : core.validateFlow(request.flow, request.plugins),
);
process.stdout.write(JSON.stringify(answers));
