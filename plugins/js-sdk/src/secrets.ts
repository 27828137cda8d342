/** Tenant secrets (capability `secrets`). Never log what you read. */
import { get as rawGet } from 'scena:plugin/secrets@0.1.2';
import { atomCall } from './errors';

/** The value of secret `name`; throws `AtomError` (`denied`) when it is not granted. */
export function get(name: string): string {
  return atomCall(() => rawGet(name));
}
