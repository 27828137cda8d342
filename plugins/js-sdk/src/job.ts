/** Scripts on hosts (capability `job`). Start in `run`, return `pending`, check in `poll`. */
import * as raw from 'scena:plugin/job@0.1.0';
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
  /** Per-host deadline; default 60 s. */
  timeoutMs?: number;
}

/** Start a job; returns its id. */
export function start(spec: JobSpec): string {
  return atomCall(() =>
    raw.start({
      hosts: [...spec.hosts],
      script: spec.script,
      interpreter: spec.interpreter ?? 'bash',
      account: spec.account ?? 'root',
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
