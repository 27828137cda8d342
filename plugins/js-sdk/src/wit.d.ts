// The WIT imports as componentize-js maps them (records: camelCase fields;
// variants: { tag, val }; result<T, atom-error>: returns T, throws an Error
// whose `payload` is the atom-error). Mirrors host-api/wit/types.wit;
// test/wit.test.mjs checks the two agree.

declare module 'scena:plugin/types@0.1.2' {
  export type AtomErrorPayload =
    | { tag: 'denied'; val: string }
    | { tag: 'invalid'; val: string }
    | { tag: 'unavailable'; val: string }
    | { tag: 'failed'; val: string };
}

declare module 'scena:plugin/log@0.1.2' {
  export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';
  export function write(level: Level, message: string): void;
}

declare module 'scena:plugin/kv@0.1.2' {
  export function get(key: string): string | undefined;
  export function set(key: string, value: string): void;
  export function delete_(key: string): boolean;
  export { delete_ as delete };
  export function increment(key: string, by: bigint): bigint;
  export function compareAndSwap(key: string, expected: string | undefined, value: string): boolean;
  export function listKeys(prefix: string, limit: number): string[];
}

declare module 'scena:plugin/secrets@0.1.2' {
  export function get(name: string): string;
}

declare module 'scena:plugin/http@0.1.2' {
  export interface Request {
    method: string;
    url: string;
    headers: Array<[string, string]>;
    body?: Uint8Array;
    timeoutMs?: number;
  }
  export interface Response {
    status: number;
    headers: Array<[string, string]>;
    body: Uint8Array;
  }
  export function send(request: Request): Response;
}

declare module 'scena:plugin/cmdb@0.1.2' {
  export interface HostInfo {
    id: string;
    hostname: string;
    ip: string;
    labels: Array<[string, string]>;
  }
  export function findHosts(selector: string, limit: number): HostInfo[];
  export function getHost(id: string): HostInfo | undefined;
}

declare module 'scena:plugin/job@0.1.2' {
  export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  export interface JobSpec {
    hosts: string[];
    script: string;
    interpreter: string;
    account: string;
    timeoutMs: number;
    idempotencyKey: string;
  }
  export interface HostResult {
    host: string;
    state: JobState;
    exitCode?: number;
    outputTail: string;
  }
  export interface JobStatus {
    id: string;
    state: JobState;
    hosts: HostResult[];
  }
  export function start(spec: JobSpec): string;
  export function status(id: string): JobStatus;
  export function cancel(id: string): void;
  export interface FileSpec {
    hosts: string[];
    file: string;
    sha256: string;
    path: string;
    mode: number;
    account: string;
    timeoutMs: number;
    idempotencyKey: string;
  }
  export function pushFile(spec: FileSpec): string;
  export function startAt(spec: JobSpec, at: string): string;
}

declare module 'scena:plugin/notify@0.1.2' {
  export interface Message {
    channel: string;
    to: string[];
    subject: string;
    body: string;
  }
  export function send(message: Message): void;
}
