/** Scripts on hosts (capability `job`). Start in `run`, return `pending`, check in `poll`. */
import * as raw from 'scena:plugin/job@0.1.2';
import { atomCall } from './errors';

export type JobState = raw.JobState;
export type JobStatus = raw.JobStatus;
export type HostResult = raw.HostResult;

export interface JobSpec {
  /** Host ids from the CMDB; the tenant must be granted each of them. */
  hosts: string[];
  script: string;
  /** Pass `ctx.idempotencyKey` so a retried step reuses the job it already started. */
  idempotencyKey: string;
  /** Default `bash`. */
  interpreter?: string;
  /** Default `root`. */
  account?: string;
  /** Per-host deadline; default 60 s (counted from `at` if given). */
  timeoutMs?: number;
  /**
   * An RFC 3339 instant at which every host starts the script together (at
   * most 24 hours ahead): the agents hold it ready until then. Absent or empty: at once.
   */
  at?: string;
}

/** Start a job; returns its id. */
export function start(spec: JobSpec): string {
  const wit: raw.JobSpec = {
    hosts: [...spec.hosts],
    script: spec.script,
    interpreter: spec.interpreter ?? 'bash',
    account: spec.account ?? 'root',
    timeoutMs: spec.timeoutMs ?? 60_000,
    idempotencyKey: spec.idempotencyKey,
  };
  const at = spec.at;
  return atomCall(() => (at ? raw.startAt(wit, at) : raw.start(wit)));
}

export interface FileSpec {
  /** Host ids from the CMDB; the tenant must be granted each of them. */
  hosts: string[];
  /** The name of a file uploaded to the tenant's files. */
  file: string;
  /** Absolute path on the host. */
  path: string;
  /** Pass `ctx.idempotencyKey` so a retried step reuses the job it already started. */
  idempotencyKey: string;
  /** The sha256 the file must have; default: whatever it has now. */
  sha256?: string;
  /** Permission bits; default 0o644. */
  mode?: number;
  /** The owner; default the agent's own account. */
  account?: string;
  /** Per-host deadline; default 60 s. */
  timeoutMs?: number;
}

/** Start placing a file on hosts; returns the job's id (follow it with `status`). */
export function pushFile(spec: FileSpec): string {
  return atomCall(() =>
    raw.pushFile({
      hosts: [...spec.hosts],
      file: spec.file,
      sha256: spec.sha256 ?? '',
      path: spec.path,
      mode: spec.mode ?? 0o644,
      account: spec.account ?? '',
      timeoutMs: spec.timeoutMs ?? 60_000,
      idempotencyKey: spec.idempotencyKey,
    }),
  );
}

export function status(id: string): JobStatus {
  return atomCall(() => raw.status(id));
}

export function cancel(id: string): void {
  atomCall(() => raw.cancel(id));
}

/** True once a job (or host) will not change any more. */
export const finished = (state: JobState): boolean => state === 'succeeded' || state === 'failed' || state === 'cancelled';
