/**
 * Write a scena scenario step in TypeScript.
 *
 *     import { defineStep, done, log, Type } from '@scena/plugin';
 *
 *     export default defineStep({
 *       name: 'hello', version: '0.1.0', title: 'Say hello', description: 'Greets someone by name.',
 *       capabilities: ['log'],
 *       input: Type.Object({ name: Type.String() }),
 *       output: Type.Object({ greeting: Type.String() }),
 *       run(ctx, input) {
 *         log.info(`greeting ${input.name}`);
 *         return done({ greeting: `Hello, ${input.name}!` });
 *       },
 *     });
 *
 * The schemas are TypeBox schemas — JSON Schema the host checks — and the
 * TypeScript types of `input` and of the output are derived from them, so the
 * two never drift. Each atom wrapper (`log`, `kv`, `secrets`, `http`, `cmdb`,
 * `job`, `notify`) is its own module: the build sees which ones the bundled
 * step uses and gives the component exactly those imports.
 */
export { Type } from '@sinclair/typebox';
export type { Static, TSchema } from '@sinclair/typebox';
export { AtomError, Denied, Fatal, InvalidInput, Retryable, StepError } from './errors';
export type { AtomErrorKind, StepErrorKind } from './errors';
export { ATOMS, defineStep, done, jsonSchema, pending } from './step';
export type { Capability, Context, Done, Outcome, Pending, Step, StepDefinition, StepMeta } from './step';
export * as log from './log';
export * as kv from './kv';
export * as secrets from './secrets';
export * as http from './http';
export * as cmdb from './cmdb';
export * as job from './job';
export * as notify from './notify';
