// The shapes of a run as the API answers it (`runtime/src/api/run_view.rs`),
// its step logs (`StepLog`) and its event stream (`runtime/src/api/events.rs`,
// whose data are the engine's events, `runtime/core/src/engine/event.rs`).
// Written out here because the served schema keeps `input`, `output` and
// the events open-ended; API answers are narrowed to these once, on arrival.

export type NodeStatus = 'idle' | 'running' | 'waiting' | 'awaiting_decision' | 'succeeded' | 'failed' | 'skipped';
export type RunStatus = 'running' | 'waiting' | 'paused' | 'succeeded' | 'failed' | 'cancelled';

export const RUN_STATUSES: RunStatus[] = ['running', 'waiting', 'paused', 'succeeded', 'failed', 'cancelled'];

export function isFinal(status: string): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

export interface NodeView {
  kind: string;
  status: NodeStatus;
  attempts: number;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  output: unknown;
  error: unknown;
  /** The input of the node's last call, if the server tells it (not yet: see the report). */
  input?: unknown;
}

export interface RunView {
  id: string;
  tenant: string;
  flow: string;
  version: number | null;
  status: RunStatus;
  input: unknown;
  output: unknown;
  error: string | null;
  started_at: string;
  /** How many of the run's events this view reflects (null or absent: not said). */
  events?: number | null;
  nodes: Record<string, NodeView>;
}

export interface LogLine {
  level: string;
  source: string;
  message: string;
}

export interface AtomCall {
  atom: string;
  request: string;
  outcome: string;
}

/** What one step call logged. `cursor` is absent on the live `log` events' copies that carry none. */
export interface StepLog {
  cursor?: number;
  node: string;
  attempt: number;
  logs: LogLine[];
  atom_calls: AtomCall[];
}

export type StepOutcome =
  | { status: 'done'; output: unknown }
  | { status: 'pending'; state: unknown; after_ms: number }
  | { status: 'failed'; kind: string; message: string; retryable: boolean };

/** One event of the stream: the engine's event (`type` = the SSE event name) and its id. */
export type EngineEvent =
  | { type: 'run_started'; input: unknown; run: unknown; at_ms: number }
  | { type: 'step_started'; node: string; attempt: number; at_ms: number }
  | { type: 'step_finished'; node: string; attempt: number; outcome: StepOutcome; at_ms: number }
  | { type: 'timer_fired'; node: string; attempt: number; at_ms: number }
  | { type: 'decided'; node: string; approved: boolean; by: string; comment: string; at_ms: number }
  | { type: 'node_retried'; node: string; input: unknown; by: string; at_ms: number }
  | { type: 'node_skipped'; node: string; output: unknown; by: string; at_ms: number }
  | { type: 'cancelled'; by: string; reason: string; at_ms: number }
  | { type: 'paused'; by: string; reason: string; at_ms: number }
  | { type: 'unpaused'; by: string; at_ms: number }
  | { type: 'force_failed'; node: string; by: string; reason: string; at_ms: number }
  | { type: 'run_resumed'; at_ms: number };

/** What the stream delivers, in order: engine events with their id, step logs, the end. */
export type StreamItem =
  | { kind: 'event'; seq: number; event: EngineEvent }
  | { kind: 'log'; log: StepLog }
  | { kind: 'end' };

/** The SSE event names that carry engine events. */
export const ENGINE_EVENT_NAMES: EngineEvent['type'][] = [
  'run_started',
  'step_started',
  'step_finished',
  'timer_fired',
  'decided',
  'node_retried',
  'node_skipped',
  'cancelled',
  'paused',
  'unpaused',
  'force_failed',
  'run_resumed',
];
