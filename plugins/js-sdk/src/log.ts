/** The step log (capability `log`). Lines longer than 8 KiB are cut; a call keeps at most 1,000. */
import { write } from 'scena:plugin/log@0.1.2';

export function trace(message: string): void {
  write('trace', String(message));
}
export function debug(message: string): void {
  write('debug', String(message));
}
export function info(message: string): void {
  write('info', String(message));
}
export function warn(message: string): void {
  write('warn', String(message));
}
export function error(message: string): void {
  write('error', String(message));
}
