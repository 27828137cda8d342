/**
 * Durable key/value state of this tenant and plugin (capability `kv`). Values
 * are JSON. Writes commit together when the call finishes with an outcome.
 */
import * as raw from 'scena:plugin/kv@0.1.2';
import { AtomError, atomCall } from './errors';

/** For `compareAndSwap`: the key must not exist (`null` means a stored JSON null). */
export const ABSENT: unique symbol = Symbol('kv.ABSENT');

function toJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new AtomError('invalid', `value is not serialisable: ${typeof value}`);
  return text;
}

/** The value under `key`, or `undefined` when absent. */
export function get<T = unknown>(key: string): T | undefined {
  const text = atomCall(() => raw.get(key));
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

export function set(key: string, value: unknown): void {
  atomCall(() => raw.set(key, toJson(value)));
}

/** True if the key existed. */
export function remove(key: string): boolean {
  return atomCall(() => raw.delete(key));
}
export { remove as delete };

/** Add `by` (a missing key counts as 0); returns the new value. */
export function increment(key: string, by: number | bigint = 1): number {
  return Number(atomCall(() => raw.increment(key, BigInt(by))));
}

/** Store `value` only if the current value equals `expected` (`ABSENT`: no value). True if stored. */
export function compareAndSwap(key: string, expected: unknown, value: unknown): boolean {
  const old = expected === ABSENT ? undefined : toJson(expected);
  return atomCall(() => raw.compareAndSwap(key, old, toJson(value)));
}

/** Keys starting with `prefix`, in byte order, at most `limit`. */
export function listKeys(prefix = '', limit = 100): string[] {
  return atomCall(() => raw.listKeys(prefix, limit));
}
