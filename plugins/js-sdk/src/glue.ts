// The generic code behind a built component: the WIT `handler` export for a
// step. The build's generated entry does `export const handler = toHandler(step)`.
import { AtomError, Fatal, InvalidInput, StepError } from './errors';
import type { Context, Outcome, Step } from './step';

type WitContext = { tenant: string; runId: string; nodeId: string; attempt: number; idempotencyKey: string };
type WitOutcome = { tag: 'done'; val: string } | { tag: 'pending'; val: { state: string; afterMs: number } };

export interface Handler {
  describe(): {
    name: string;
    version: string;
    title: string;
    description: string;
    category: string;
    inputSchema: string;
    outputSchema: string;
    capabilities: string[];
  };
  run(ctx: WitContext, input: string): WitOutcome;
  poll(ctx: WitContext, state: string): WitOutcome;
}

/** The `scena:plugin/handler` export for `step`. Its metadata is computed once, when the component is pre-initialised. */
export function toHandler(step: Step): Handler {
  const meta = step.meta();
  const described = {
    ...meta,
    inputSchema: JSON.stringify(meta.inputSchema),
    outputSchema: JSON.stringify(meta.outputSchema),
    capabilities: [...meta.capabilities],
  };
  const call = (entry: 'run' | 'poll', ctx: WitContext, text: string): WitOutcome => {
    const context: Context = Object.freeze({
      tenant: ctx.tenant,
      runId: ctx.runId,
      nodeId: ctx.nodeId,
      attempt: ctx.attempt,
      idempotencyKey: ctx.idempotencyKey,
    });
    let error: StepError;
    try {
      let result: Outcome<unknown>;
      if (entry === 'run') {
        let input: unknown;
        try {
          input = JSON.parse(text);
        } catch (e) {
          throw new InvalidInput(`input does not fit ${step.name}: ${(e as Error).message}`);
        }
        result = step.run(context, input);
      } else {
        let state: unknown;
        try {
          state = JSON.parse(text);
        } catch (e) {
          throw new Fatal(`saved state is not JSON: ${(e as Error).message}`);
        }
        if (!step.poll) throw new Fatal(`${step.name} never returns pending, so it cannot be polled`);
        result = step.poll(context, state);
      }
      return toWit(step.name, entry, result);
    } catch (e) {
      if (e instanceof AtomError) error = e.toStepError();
      else if (e instanceof StepError) error = e;
      else return trap(step.name, entry, e);
    }
    // componentize-js turns a thrown { tag, val } into the `err` of the result.
    throw { tag: error.kind, val: error.message };
  };
  return {
    describe: () => described,
    run: (ctx, input) => call('run', ctx, input),
    poll: (ctx, state) => call('poll', ctx, state),
  };
}

function toWit(name: string, entry: string, result: Outcome<unknown>): WitOutcome {
  if (result && typeof (result as { then?: unknown }).then === 'function') {
    throw new Fatal(`${name}: ${entry} returned a Promise; steps are synchronous (atoms block until they answer)`);
  }
  if (!result || (result.kind !== 'done' && result.kind !== 'pending')) {
    throw new Fatal(`${name}: ${entry} must return done(output) or pending(state, afterMs)`);
  }
  if (result.kind === 'pending') {
    const state = stringify(result.state, 'pending state');
    return { tag: 'pending', val: { state, afterMs: result.afterMs } };
  }
  return { tag: 'done', val: stringify(result.output, 'output') };
}

/** Strings longer than this are quoted in chunks (see `stringify`). */
const LONG = 1 << 16;

/**
 * `JSON.stringify`, except that long strings are quoted in 64 Ki slices and
 * spliced in: SpiderMonkey's `JSON.stringify` of one string of 0.75 MB or
 * more outgrows a 64 MiB memory, while the same text built from slices
 * takes a few MiB.
 */
function stringify(value: unknown, what: string): string {
  const long: string[] = [];
  const tag = `\u0000scena-long-${Math.random().toString(36).slice(2)}-`;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'string' && v.length > LONG) {
        long.push(v);
        return `${tag}${long.length - 1}`;
      }
      return v;
    });
  } catch (e) {
    // A cycle or a BigInt is the step's mistake; anything else (SpiderMonkey
    // throws the string "out of memory") traps, as running out of memory does.
    if (e instanceof TypeError) throw new Fatal(`cannot serialise ${what}: ${e.message}`);
    throw e;
  }
  if (text === undefined) throw new Fatal(`cannot serialise ${what}: ${typeof value} has no JSON form`);
  if (long.length === 0) return text;
  const placeholder = `"${JSON.stringify(tag).slice(1, -1)}`;
  const pieces = text.split(placeholder);
  let out = pieces[0];
  for (const piece of pieces.slice(1)) {
    const end = piece.indexOf('"');
    out += quoteLong(long[Number(piece.slice(0, end))]) + piece.slice(end + 1);
  }
  return out;
}

function quoteLong(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i += LONG) out += JSON.stringify(s.slice(i, i + LONG)).slice(1, -1);
  return out + '"';
}

/**
 * Trap the call, as a Rust panic does, with the error's stack in the step log
 * and its message as the last line of stderr the host quotes in its reason.
 *
 * componentize-js traps when an export throws something that is not a
 * `{ tag, val }` of the error variant; it prints an exception raised while it
 * reads `tag`, so a getter that throws the message makes that message the
 * last line it writes before aborting.
 */
function trap(name: string, entry: string, e: unknown): never {
  const summary = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const stack = e instanceof Error && e.stack ? e.stack : '';
  console.error(`${summary}${stack ? `\n${stack}` : ''}`);
  const last = `${name}: ${entry} threw ${summary}`;
  throw {
    get tag(): never {
      throw last;
    },
  };
}
