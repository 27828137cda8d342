import type { Static, TSchema } from '@sinclair/typebox';
import { Fatal } from './errors';

/** Every atom of the WIT world, in the order step.wit imports them (the build checks this list against the world). */
export const ATOMS = ['log', 'kv', 'secrets', 'http', 'cmdb', 'job', 'notify'] as const;
export type Capability = (typeof ATOMS)[number];

/** Where a call comes from (the WIT `context` record). */
export interface Context {
  readonly tenant: string;
  /** Empty when run outside a flow, e.g. `scena plugin run`. */
  readonly runId: string;
  readonly nodeId: string;
  /** 1 on the first attempt, incremented on every retry. */
  readonly attempt: number;
  /** Stable across retries: hand it to external systems so a retried step does not repeat an effect. */
  readonly idempotencyKey: string;
}

export type Done<O> = { readonly kind: 'done'; readonly output: O };
export type Pending = { readonly kind: 'pending'; readonly state: unknown; readonly afterMs: number };
export type Outcome<O> = Done<O> | Pending;

/** Finish the step with `output`. */
export function done<O>(output: O): Done<O> {
  return { kind: 'done', output };
}

/** Ask to be polled again after `afterMs` milliseconds with `state` (any JSON value). */
export function pending(state: unknown, afterMs: number): Pending {
  if (!Number.isInteger(afterMs) || afterMs < 0 || afterMs >= 2 ** 32) {
    throw new Fatal(`pending: afterMs must be an integer in 0..2^32, not ${afterMs}`);
  }
  return { kind: 'pending', state, afterMs };
}

/** What a step is: its metadata, its input/output schemas (TypeBox) and its code. */
export interface StepDefinition<I extends TSchema, O extends TSchema> {
  /** `^[a-z][a-z0-9-]{0,62}$` */
  name: string;
  /** Semantic version, e.g. `0.1.0`. */
  version: string;
  title: string;
  description: string;
  /** Palette group; default `custom`. */
  category?: string;
  /** The atoms this step calls. Using one not listed here gets the plugin refused (the build says so first). */
  capabilities?: readonly Capability[];
  /** JSON Schema of the input, written with TypeBox's `Type`; `Static<typeof input>` is its TypeScript type. */
  input: I;
  output: O;
  /** Synchronous: atoms block until they answer. Return `done(output)` or `pending(state, afterMs)`. */
  run(ctx: Context, input: Static<I>): Outcome<Static<O>>;
  /** Continue after `pending`; steps that never pend leave it out. */
  poll?(ctx: Context, state: unknown): Outcome<Static<O>>;
}

export interface StepMeta {
  name: string;
  version: string;
  title: string;
  description: string;
  category: string;
  inputSchema: unknown;
  outputSchema: unknown;
  capabilities: Capability[];
}

export interface Step<I extends TSchema = TSchema, O extends TSchema = TSchema> extends StepDefinition<I, O> {
  /** `describe()`'s answer (schemas as JSON values), checked. */
  meta(): StepMeta;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

/** Declare a step; export it as the module's default export. */
export function defineStep<I extends TSchema, O extends TSchema>(definition: StepDefinition<I, O>): Step<I, O> {
  const problems: string[] = [];
  for (const key of ['name', 'version', 'title', 'description'] as const) {
    if (typeof definition[key] !== 'string') problems.push(`\`${key}\` must be a string`);
  }
  if (typeof definition.name === 'string' && !NAME.test(definition.name)) {
    problems.push(`name \`${definition.name}\` must match ^[a-z][a-z0-9-]{0,62}$`);
  }
  if (typeof definition.version === 'string' && !SEMVER.test(definition.version)) {
    problems.push(`version \`${definition.version}\` is not semver`);
  }
  const caps = [...(definition.capabilities ?? [])];
  const unknown = caps.filter((c) => !(ATOMS as readonly string[]).includes(c));
  if (unknown.length) problems.push(`unknown capabilities ${JSON.stringify(unknown)}: known are ${ATOMS.join(', ')}`);
  if (!definition.input || typeof definition.input !== 'object') problems.push('`input` must be a schema (Type.…)');
  if (!definition.output || typeof definition.output !== 'object') problems.push('`output` must be a schema (Type.…)');
  if (typeof definition.run !== 'function') problems.push('`run` must be a function');
  if (problems.length) throw new TypeError(`step ${definition.name}: ${problems.join('; ')}`);
  const meta: StepMeta = {
    name: definition.name,
    version: definition.version,
    title: definition.title,
    description: definition.description,
    category: definition.category ?? 'custom',
    inputSchema: jsonSchema(definition.input),
    outputSchema: jsonSchema(definition.output),
    capabilities: ATOMS.filter((a) => caps.includes(a)),
  };
  return { ...definition, meta: () => meta };
}

/** A TypeBox schema as plain JSON Schema (TypeBox's symbol keys dropped), with `$schema`. */
export function jsonSchema(schema: TSchema): unknown {
  const plain = JSON.parse(JSON.stringify(schema));
  return typeof plain === 'object' && plain !== null && !Array.isArray(plain) ? { $schema: DRAFT, ...plain } : plain;
}
