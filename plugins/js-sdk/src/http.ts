/**
 * Outgoing HTTP to allow-listed hosts (capability `http`). Redirects are not
 * followed; any status is a response, errors are `AtomError`s.
 *
 *     const resp = http.post(url, { json: body, headers: { 'Idempotency-Key': ctx.idempotencyKey } });
 */
import { send } from 'scena:plugin/http@0.1.2';
import { AtomError, atomCall } from './errors';

export type Headers = Record<string, string> | Array<[string, string]>;

export interface RequestOptions {
  headers?: Headers;
  /** A string is sent as UTF-8. */
  body?: string | Uint8Array;
  /** Serialised as the body, with `content-type: application/json`. */
  json?: unknown;
  timeoutMs?: number;
}

export class Response {
  constructor(
    readonly status: number,
    readonly headers: Array<[string, string]>,
    readonly body: Uint8Array,
  ) {}
  /** A 2xx status. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  /** The first header with this name (case-insensitive). */
  header(name: string): string | undefined {
    const lowered = name.toLowerCase();
    return this.headers.find(([k]) => k.toLowerCase() === lowered)?.[1];
  }
  text(): string {
    return new TextDecoder().decode(this.body);
  }
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }
}

export function request(method: string, url: string, options: RequestOptions = {}): Response {
  const headers: Array<[string, string]> = Array.isArray(options.headers)
    ? [...options.headers]
    : Object.entries(options.headers ?? {});
  let body = options.body;
  if (options.json !== undefined) {
    if (body !== undefined) throw new AtomError('invalid', 'give either body or json, not both');
    body = JSON.stringify(options.json);
    if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['content-type', 'application/json']);
  }
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const raw = atomCall(() =>
    send({ method: method.toUpperCase(), url, headers, body: bytes, timeoutMs: options.timeoutMs }),
  );
  return new Response(raw.status, raw.headers, raw.body);
}

export const get = (url: string, options?: RequestOptions) => request('GET', url, options);
export const head = (url: string, options?: RequestOptions) => request('HEAD', url, options);
export const post = (url: string, options?: RequestOptions) => request('POST', url, options);
export const put = (url: string, options?: RequestOptions) => request('PUT', url, options);
export const patch = (url: string, options?: RequestOptions) => request('PATCH', url, options);
export const del = (url: string, options?: RequestOptions) => request('DELETE', url, options);
export { del as delete };
