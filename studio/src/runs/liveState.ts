// The live run view's state: the last snapshot the API answered (`GET
// …/runs/{id}`, or a control's answer) plus what the event stream said since.
//
// The events say what happened to steps (started, finished, failed,
// decided, retried, skipped …) but not everything the engine derives from
// them (a path not taken, a join, the run's status), so the snapshot is
// fetched again after events and the view shows, per node, whichever of the
// two is newer: an event newer than the snapshot's stream position wins.
//
// Pure and immutable: `applyStream` folds a batch of stream items in their
// order; an event whose id was already applied (a reconnect replays from
// Last-Event-ID, a fresh connection from the start) changes nothing, and a
// step log seen twice is kept once.
import type { EngineEvent, NodeStatus, NodeView, RunStatus, RunView, StepLog, StreamItem } from './runTypes';

/** What the reducer needs from the flow: each node's kind and how many attempts its calls get. */
export interface PlanInfo {
  kinds: Record<string, string>;
  maxAttempts: Record<string, number>;
}

export interface SlotLive {
  status: NodeStatus;
  attempt: number;
  /** When the run first reached it (ms since the epoch). */
  startedMs: number | null;
  /** When it last settled; null while it runs again. */
  endedMs: number | null;
  output?: unknown;
  error?: unknown;
  /** The id of the last event that changed it. */
  seq: number;
}

export interface NodeLive extends SlotLive {
  /** The input an operator gave with the last retry, if any. */
  retryInput?: unknown;
}

export interface LiveState {
  plan: PlanInfo;
  /** The highest event id applied (0: none yet). */
  lastSeq: number;
  nodes: Record<string, NodeLive>;
  /** Items of foreach and batch nodes (`node[k]` in events), by node id and index. */
  items: Record<string, Record<number, SlotLive>>;
  /** Run-level events: cancel, pause, unpause — with the id that said so. */
  runEvent: { status: 'cancelled' | 'paused' | 'unpaused'; seq: number } | null;
  runStartedMs: number | null;
  /** Step logs by `node#attempt`, in arrival order. */
  logs: Record<string, StepLog>;
  logOrder: string[];
  ended: boolean;
  snapshot: RunView | null;
  /** Every event up to this id is in the snapshot (a lower bound: it may hold later ones too). */
  snapshotSeq: number;
}

export function planInfo(flow: { nodes: { id: string; kind: string; retry?: { max_attempts?: number }; body?: { retry?: { max_attempts?: number } } }[] }): PlanInfo {
  const kinds: Record<string, string> = {};
  const maxAttempts: Record<string, number> = {};
  for (const node of flow.nodes) {
    kinds[node.id] = node.kind;
    maxAttempts[node.id] = node.retry?.max_attempts ?? node.body?.retry?.max_attempts ?? 1;
  }
  return { kinds, maxAttempts };
}

export function initialLive(plan: PlanInfo, snapshot: RunView | null = null): LiveState {
  return {
    plan,
    // Event ids count from 0 (the run's `run_started`): nothing applied yet is -1.
    lastSeq: -1,
    nodes: {},
    items: {},
    runEvent: null,
    runStartedMs: null,
    logs: {},
    logOrder: [],
    ended: false,
    snapshot,
    snapshotSeq: -1,
  };
}

const ITEM = /^(.*)\[(\d+)\]$/;

/** `node[3]` → `['node', 3]`; a plain node id → `[id, null]`. */
export function splitItem(name: string): [string, number | null] {
  const match = ITEM.exec(name);
  return match ? [match[1] ?? name, Number(match[2])] : [name, null];
}

export function logKey(log: Pick<StepLog, 'node' | 'attempt'>): string {
  return `${log.node}#${log.attempt}`;
}

const IDLE: SlotLive = { status: 'idle', attempt: 0, startedMs: null, endedMs: null, seq: 0 };

/** Apply stream items in order; returns `state` itself when nothing changed. */
export function applyStream(state: LiveState, batch: StreamItem[]): LiveState {
  let next: LiveState | null = null;
  // Copy-on-write once per batch, not once per event: a busy foreach sends hundreds a second.
  const draft = (): LiveState => {
    next ??= {
      ...state,
      nodes: { ...state.nodes },
      items: { ...state.items },
      logs: { ...state.logs },
      logOrder: [...state.logOrder],
    };
    return next;
  };
  const copiedItems = new Set<string>();
  for (const item of batch) {
    if (item.kind === 'end') {
      if (!(next ?? state).ended) draft().ended = true;
    } else if (item.kind === 'log') {
      const key = logKey(item.log);
      if (!((next ?? state).logs[key])) {
        const d = draft();
        d.logs[key] = item.log;
        d.logOrder.push(key);
      }
    } else if (item.seq > (next ?? state).lastSeq) {
      const d = draft();
      d.lastSeq = item.seq;
      applyEvent(d, item.seq, item.event, copiedItems);
    }
  }
  return next ?? state;
}

/** Merge log entries fetched by page (`GET …/logs`): the same calls may have come live already. */
export function addLogs(state: LiveState, entries: StepLog[]): LiveState {
  const fresh = entries.filter((entry) => !state.logs[logKey(entry)]);
  if (fresh.length === 0) return state;
  const logs = { ...state.logs };
  const logOrder = [...state.logOrder];
  for (const entry of fresh) {
    logs[logKey(entry)] = entry;
    logOrder.push(logKey(entry));
  }
  return { ...state, logs, logOrder };
}

/** The run goes on after it ended (a control reopened it): its stream will be read again. */
export function reopen(state: LiveState): LiveState {
  return state.ended ? { ...state, ended: false } : state;
}

/**
 * The last event a snapshot reflects: it says how many (`events`: ids 0 to
 * events − 1), else — for answers that do not say — what the stream had
 * delivered when it was asked for (a lower bound).
 */
export function reflectedSeq(snapshot: RunView, received: number): number {
  return typeof snapshot.events === 'number' ? snapshot.events - 1 : received;
}

/**
 * Adopt a snapshot reflecting the events up to `seq` — unless a snapshot
 * taken later is already there (answers may arrive out of order). Events up
 * to `seq` are then shown as the snapshot has them: a stream replaying the
 * run's history from its start does not redraw what the snapshot shows.
 */
export function adoptSnapshot(state: LiveState, snapshot: RunView, seq: number): LiveState {
  if (seq < state.snapshotSeq) return state;
  return { ...state, snapshot, snapshotSeq: seq };
}

function applyEvent(d: LiveState, seq: number, event: EngineEvent, copiedItems: Set<string>) {
  const setSlot = (name: string, change: (slot: SlotLive) => Partial<NodeLive>) => {
    const [id, index] = splitItem(name);
    if (index === null) {
      const before = d.nodes[id] ?? IDLE;
      d.nodes[id] = { ...before, ...change(before), seq };
      return;
    }
    if (!copiedItems.has(id)) {
      d.items[id] = { ...(d.items[id] ?? {}) };
      copiedItems.add(id);
    }
    const items = (d.items[id] ??= {});
    const before = items[index] ?? IDLE;
    items[index] = { ...before, ...change(before), seq };
    // An item working means its node works, whatever it was before.
    const parent = d.nodes[id] ?? IDLE;
    if (parent.status === 'idle') d.nodes[id] = { ...parent, status: 'running', startedMs: parent.startedMs ?? event.at_ms, seq };
  };
  const maxAttempts = (name: string) => d.plan.maxAttempts[splitItem(name)[0]] ?? 1;

  switch (event.type) {
    case 'run_started':
      d.runStartedMs = event.at_ms;
      break;
    case 'step_started':
      setSlot(event.node, (slot) => ({
        status: 'running',
        attempt: event.attempt,
        startedMs: slot.startedMs ?? event.at_ms,
        endedMs: null,
      }));
      break;
    case 'step_finished': {
      const outcome = event.outcome;
      if (outcome.status === 'done') {
        setSlot(event.node, () => ({ status: 'succeeded', attempt: event.attempt, endedMs: event.at_ms, output: outcome.output, error: null }));
      } else if (outcome.status === 'pending') {
        setSlot(event.node, () => ({ status: 'waiting', attempt: event.attempt }));
      } else {
        const error = { kind: outcome.kind, message: outcome.message };
        // A retryable failure with attempts left waits for its back-off.
        const again = outcome.retryable && event.attempt < maxAttempts(event.node);
        setSlot(event.node, () =>
          again
            ? { status: 'waiting', attempt: event.attempt, error }
            : { status: 'failed', attempt: event.attempt, endedMs: event.at_ms, error },
        );
      }
      break;
    }
    case 'decided': {
      const batch = d.plan.kinds[event.node] === 'batch';
      if (event.approved) {
        setSlot(event.node, () =>
          batch
            ? { status: 'running' }
            : { status: 'succeeded', endedMs: event.at_ms, output: { approved: true, by: event.by, comment: event.comment }, error: null },
        );
      } else {
        setSlot(event.node, () => ({
          status: 'failed',
          endedMs: event.at_ms,
          error: { kind: 'rejected', message: event.comment, by: event.by },
        }));
      }
      break;
    }
    case 'node_retried':
      setSlot(event.node, () => ({ status: 'running', endedMs: null, retryInput: event.input ?? undefined }));
      break;
    case 'node_skipped':
      setSlot(event.node, () => ({ status: 'succeeded', endedMs: event.at_ms, output: event.output, error: { skipped_by: event.by } }));
      break;
    case 'force_failed':
      setSlot(event.node, () => ({
        status: 'failed',
        endedMs: event.at_ms,
        error: { kind: 'force-failed', message: event.reason, by: event.by },
      }));
      break;
    case 'cancelled':
      d.runEvent = { status: 'cancelled', seq };
      break;
    case 'paused':
      d.runEvent = { status: 'paused', seq };
      break;
    case 'unpaused':
      d.runEvent = { status: 'unpaused', seq };
      break;
    case 'timer_fired':
    case 'run_resumed':
      // What a timer leads to (a retry, a poll, a decision by timeout) comes as its own events or in the snapshot.
      break;
  }
}

/** A node as the view shows it: the snapshot's, or the live one where an event is newer. */
export interface ShownNode {
  id: string;
  kind: string;
  status: NodeStatus;
  attempts: number;
  startedMs: number | null;
  endedMs: number | null;
  output: unknown;
  error: unknown;
  input?: unknown;
  retryInput?: unknown;
}

function instant(text: string | null | undefined): number | null {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

export function shownNode(state: LiveState, id: string): ShownNode {
  const snap: NodeView | undefined = state.snapshot?.nodes[id];
  const live = state.nodes[id];
  const base: ShownNode = {
    id,
    kind: snap?.kind ?? state.plan.kinds[id] ?? 'step',
    status: snap?.status ?? 'idle',
    attempts: snap?.attempts ?? 0,
    startedMs: instant(snap?.started_at),
    endedMs: instant(snap?.ended_at),
    output: snap?.output ?? null,
    error: snap?.error ?? null,
    input: snap?.input,
    retryInput: live?.retryInput,
  };
  if (!live || live.seq <= state.snapshotSeq) return base;
  return {
    ...base,
    status: live.status,
    attempts: Math.max(base.attempts, live.attempt),
    startedMs: base.startedMs ?? live.startedMs,
    endedMs: live.endedMs,
    output: live.output !== undefined ? live.output : base.output,
    error: live.error !== undefined ? live.error : base.error,
  };
}

/** The run's status: the snapshot's, unless a newer cancel or pause said otherwise. */
export function shownRunStatus(state: LiveState): RunStatus | null {
  const base = state.snapshot?.status ?? null;
  const event = state.runEvent;
  if (!event || event.seq <= state.snapshotSeq || !base) return base;
  if (event.status === 'cancelled') return 'cancelled';
  if (event.status === 'paused') return base === 'cancelled' || base === 'succeeded' || base === 'failed' ? base : 'paused';
  return base === 'paused' ? 'running' : base;
}

export interface ItemCounts {
  /** Items known: the node's output says how many when it is done, the events only those started. */
  total: number | null;
  started: number;
  running: number;
  waiting: number;
  succeeded: number;
  failed: number;
}

export function itemCounts(state: LiveState, id: string, total: number | null): ItemCounts {
  const counts: ItemCounts = { total, started: 0, running: 0, waiting: 0, succeeded: 0, failed: 0 };
  for (const slot of Object.values(state.items[id] ?? {})) {
    counts.started += 1;
    if (slot.status === 'running') counts.running += 1;
    else if (slot.status === 'waiting') counts.waiting += 1;
    else if (slot.status === 'succeeded') counts.succeeded += 1;
    else if (slot.status === 'failed') counts.failed += 1;
  }
  return counts;
}

/** Step logs of `id` (and of its items), oldest first. */
export function logsOf(state: LiveState, id: string): StepLog[] {
  return state.logOrder
    .map((key) => state.logs[key])
    .filter((log): log is StepLog => log !== undefined && (log.node === id || splitItem(log.node)[0] === id))
    .sort((a, b) => (a.cursor ?? Number.MAX_SAFE_INTEGER) - (b.cursor ?? Number.MAX_SAFE_INTEGER));
}
