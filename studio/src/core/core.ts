// The server's own validator and CEL compiler, compiled to WebAssembly
// (`runtime/core-wasm`), loaded on first use so the first page stays small.
export interface Problem {
  node?: string;
  message: string;
}

export type ExpressionCheck =
  | { result: 'ok'; paths: string[]; steps: string[] | null }
  | { result: 'error'; message: string; at: { line: number; column: number } | null };

export interface KnownPlugin {
  name: string;
  version: string;
  input_schema: unknown;
}

interface CoreModule {
  default: (options?: unknown) => Promise<unknown>;
  validateFlow: (flow: string, plugins: string) => string;
  checkExpression: (source: string) => string;
}

let loading: Promise<CoreModule> | null = null;

export function loadCore(): Promise<CoreModule> {
  loading ??= import('@scena/core/scena_core_wasm.js').then(async (module: CoreModule) => {
    await module.default();
    return module;
  });
  return loading;
}

/** Every problem of a flow document, as the server would report them. */
export async function validateFlow(flow: unknown, plugins: KnownPlugin[] | null): Promise<Problem[]> {
  const core = await loadCore();
  const answer = JSON.parse(core.validateFlow(JSON.stringify(flow), JSON.stringify(plugins))) as {
    problems?: Problem[];
    error?: string;
  };
  return answer.problems ?? [{ message: answer.error ?? 'validation failed' }];
}

/** Whether one expression (the text inside `${…}`) compiles, and what it reads. */
export async function checkExpression(source: string): Promise<ExpressionCheck> {
  const core = await loadCore();
  return JSON.parse(core.checkExpression(source)) as ExpressionCheck;
}
