// The flow document as the editor handles it: the shapes of
// `host-api/schema/flow.schema.json` (and `runtime/core/src/flow/format.rs`),
// typed per node kind so that the inspector can edit each kind's settings.
import type { Schemas } from '../api/client';

export type NodeKind =
  | 'start'
  | 'end'
  | 'step'
  | 'parallel'
  | 'join'
  | 'switch'
  | 'approval'
  | 'wait'
  | 'foreach'
  | 'batch'
  | 'subflow';

export const NODE_KINDS: NodeKind[] = [
  'start',
  'end',
  'step',
  'parallel',
  'join',
  'switch',
  'approval',
  'wait',
  'foreach',
  'batch',
  'subflow',
];

export type EdgeKind = 'normal' | 'error' | 'rollback';
export type OnError = 'fail' | 'continue' | 'route';
export type VersionRef = number | 'latest';
export type CountOrPercent = number | string;

export interface Retry {
  max_attempts?: number;
  backoff?: 'fixed' | 'exponential';
  initial_ms?: number;
  max_ms?: number;
  jitter?: boolean;
}

export interface Body {
  plugin?: string;
  flow?: string;
  version?: VersionRef;
  input?: unknown;
  retry?: Retry;
  timeout_ms?: number;
}

export interface SwitchCase {
  when: string;
  to: string;
}

/** Every setting any node kind may carry; which ones apply depends on `kind`. */
export interface FlowNode {
  id: string;
  kind: NodeKind;
  title?: string;
  ui?: { x: number; y: number };
  // end
  output?: unknown;
  // step, subflow, foreach/batch bodies
  plugin?: string;
  input?: unknown;
  retry?: Retry;
  timeout_ms?: number;
  on_error?: OnError;
  // switch
  cases?: SwitchCase[];
  default?: string;
  // subflow
  flow?: string;
  version?: VersionRef;
  // approval
  assignees?: string[];
  message?: string;
  on_timeout?: 'approve' | 'reject';
  // wait
  duration_ms?: number | string;
  until?: string;
  // foreach, batch
  items?: string;
  concurrency?: number;
  fail_fast?: boolean;
  body?: Body;
  batches?: CountOrPercent[];
  between?: 'none' | 'approval' | { wait_ms: number };
  max_failures?: CountOrPercent;
}

export interface FlowEdge {
  from: string;
  to: string;
  kind?: EdgeKind;
}

type ApiFlow = Schemas extends { Flow: infer F } ? F : Record<string, unknown>;

/**
 * A flow document: the OpenAPI `Flow` schema's fields, with the nodes and
 * edges typed precisely (the served schema keeps nodes open-ended).
 */
export type FlowDocument = Omit<ApiFlow, 'name' | 'title' | 'description' | 'inputs' | 'nodes' | 'edges'> & {
  name: string;
  title?: string;
  description?: string;
  inputs?: unknown;
  nodes: FlowNode[];
  edges: FlowEdge[];
};
