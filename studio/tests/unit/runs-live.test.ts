import { describe, expect, it } from 'vitest';
import {
  addLogs,
  adoptSnapshot,
  applyStream,
  initialLive,
  itemCounts,
  logsOf,
  planInfo,
  reflectedSeq,
  shownNode,
  shownRunStatus,
  splitItem,
} from '../../src/runs/liveState';
import type { RunView, StepLog, StreamItem } from '../../src/runs/runTypes';

const flow = {
  nodes: [
    { id: 'start', kind: 'start' },
    { id: 'a', kind: 'step', retry: { max_attempts: 2 } },
    { id: 'each', kind: 'foreach', body: { retry: { max_attempts: 1 } } },
    { id: 'gate', kind: 'approval' },
    { id: 'end', kind: 'end' },
  ],
};
const plan = planInfo(flow);

let seq = 0;
const ev = (event: Record<string, unknown>): StreamItem =>
  ({ kind: 'event', seq: ++seq, event: { at_ms: 1000 + seq, ...event } }) as StreamItem;
const log = (node: string, attempt: number, cursor: number, message = 'hi'): StreamItem => ({
  kind: 'log',
  log: { cursor, node, attempt, logs: [{ level: 'info', source: 'plugin', message }], atom_calls: [] },
});

function snapshot(status: RunView['status'], nodes: Record<string, Partial<RunView['nodes'][string]>>): RunView {
  return {
    id: 'r1',
    tenant: 'default',
    flow: 'f',
    version: 1,
    status,
    input: {},
    output: null,
    error: null,
    started_at: '2026-12-04T10:00:00Z',
    nodes: Object.fromEntries(
      Object.entries(nodes).map(([id, n]) => [
        id,
        { kind: 'step', status: 'idle', attempts: 0, started_at: null, ended_at: null, duration_ms: null, output: null, error: null, ...n },
      ]),
    ) as RunView['nodes'],
  };
}

describe('the live run state', () => {
  it('applies step events in order', () => {
    seq = 0;
    const s = applyStream(initialLive(plan), [
      ev({ type: 'run_started', input: {}, run: {} }),
      ev({ type: 'step_started', node: 'a', attempt: 1 }),
    ]);
    expect(shownNode(s, 'a').status).toBe('running');
    const done = applyStream(s, [log('a', 1, 7), ev({ type: 'step_finished', node: 'a', attempt: 1, outcome: { status: 'done', output: { n: 2 } } })]);
    expect(shownNode(done, 'a')).toMatchObject({ status: 'succeeded', output: { n: 2 }, attempts: 1 });
    expect(done.lastSeq).toBe(3);
    expect(logsOf(done, 'a').map((l) => l.cursor)).toEqual([7]);
  });

  it('applies the run\'s first event, whose id is 0', () => {
    const first = { kind: 'event', seq: 0, event: { at_ms: 500, type: 'run_started', input: {}, run: {} } } as StreamItem;
    const s = applyStream(initialLive(plan), [first]);
    expect(s.lastSeq).toBe(0);
    expect(s.runStartedMs).toBe(500);
    expect(applyStream(s, [first])).toBe(s);
  });

  it('ignores events it has applied already (a reconnect replays them) and keeps a log seen twice once', () => {
    seq = 0;
    const items = [
      ev({ type: 'step_started', node: 'a', attempt: 1 }),
      log('a', 1, 1),
      ev({ type: 'step_finished', node: 'a', attempt: 1, outcome: { status: 'done', output: 1 } }),
    ];
    const once = applyStream(initialLive(plan), items);
    const twice = applyStream(once, items);
    expect(twice).toBe(once);
    // A replay of the first event alone must not take the node back to running.
    const replayed = applyStream(once, [items[0]!]);
    expect(shownNode(replayed, 'a').status).toBe('succeeded');
    expect(logsOf(twice, 'a')).toHaveLength(1);
  });

  it('applies a batch exactly as the same events one by one', () => {
    seq = 0;
    const items = [
      ev({ type: 'step_started', node: 'a', attempt: 1 }),
      ev({ type: 'step_finished', node: 'a', attempt: 1, outcome: { status: 'failed', kind: 'x', message: 'boom', retryable: true } }),
      ev({ type: 'step_started', node: 'a', attempt: 2 }),
      ev({ type: 'step_finished', node: 'a', attempt: 2, outcome: { status: 'failed', kind: 'x', message: 'boom', retryable: true } }),
    ];
    const batched = applyStream(initialLive(plan), items);
    const single = items.reduce((s, item) => applyStream(s, [item]), initialLive(plan));
    expect(batched.nodes).toEqual(single.nodes);
    expect(shownNode(batched, 'a')).toMatchObject({ status: 'failed', attempts: 2, error: { message: 'boom' } });
    // A retryable failure with attempts left is a wait for the back-off.
    const first = applyStream(initialLive(plan), items.slice(0, 2));
    expect(shownNode(first, 'a').status).toBe('waiting');
  });

  it('does not mutate the state it was given', () => {
    seq = 0;
    const before = applyStream(initialLive(plan), [ev({ type: 'step_started', node: 'each[0]', attempt: 1 })]);
    const frozen = JSON.stringify(before);
    applyStream(before, [ev({ type: 'step_finished', node: 'each[0]', attempt: 1, outcome: { status: 'done', output: 1 } })]);
    expect(JSON.stringify(before)).toBe(frozen);
  });

  it('counts foreach items and marks their node running', () => {
    seq = 0;
    const started = Array.from({ length: 200 }, (_, k) => ev({ type: 'step_started', node: `each[${k}]`, attempt: 1 }));
    const finished = Array.from({ length: 200 }, (_, k) =>
      ev({
        type: 'step_finished',
        node: `each[${k}]`,
        attempt: 1,
        outcome: k === 13 ? { status: 'failed', kind: 'x', message: 'no', retryable: false } : { status: 'done', output: k },
      }),
    );
    const s = applyStream(initialLive(plan), [...started, ...finished.slice(0, 150)]);
    expect(shownNode(s, 'each').status).toBe('running');
    expect(itemCounts(s, 'each', null)).toEqual({ total: null, started: 200, running: 50, waiting: 0, succeeded: 149, failed: 1 });
  });

  it('shows the snapshot unless an event is newer than it', () => {
    seq = 0;
    let s = applyStream(initialLive(plan), [
      ev({ type: 'step_started', node: 'a', attempt: 1 }),
      ev({ type: 'step_finished', node: 'a', attempt: 1, outcome: { status: 'done', output: 1 } }),
    ]);
    s = adoptSnapshot(s, snapshot('waiting', { a: { status: 'succeeded', attempts: 1 }, gate: { kind: 'approval', status: 'awaiting_decision' } }), s.lastSeq);
    expect(shownNode(s, 'gate').status).toBe('awaiting_decision');
    expect(shownRunStatus(s)).toBe('waiting');
    s = applyStream(s, [ev({ type: 'decided', node: 'gate', approved: true, by: 'olga', comment: 'ok' })]);
    expect(shownNode(s, 'gate')).toMatchObject({ status: 'succeeded', output: { approved: true, by: 'olga' } });
    // An older answer arriving late does not replace a newer snapshot.
    const newer = adoptSnapshot(s, snapshot('succeeded', { gate: { status: 'succeeded' } }), s.lastSeq);
    const stale = adoptSnapshot(newer, snapshot('waiting', { gate: { status: 'awaiting_decision' } }), 1);
    expect(stale).toBe(newer);
    expect(shownRunStatus(stale)).toBe('succeeded');
  });

  it('does not redraw what a snapshot shows while the stream replays the events it reflects', () => {
    seq = 0;
    // The page reads the run (4 events in, ids 0–3: `a` done, the gate waiting), then opens the stream, which replays them.
    const first = { ...snapshot('waiting', { a: { status: 'succeeded', attempts: 1 }, gate: { kind: 'approval', status: 'awaiting_decision' } }), events: 4 };
    let s = adoptSnapshot(initialLive(plan), first, reflectedSeq(first, 0));
    s = applyStream(s, [ev({ type: 'run_started', input: {}, run: {} }), ev({ type: 'step_started', node: 'a', attempt: 1 })]);
    expect(shownNode(s, 'a').status).toBe('succeeded');
    s = applyStream(s, [ev({ type: 'step_finished', node: 'a', attempt: 1, outcome: { status: 'done', output: 1 } })]);
    expect(shownNode(s, 'a').status).toBe('succeeded');
    // What follows the snapshot is shown as it comes.
    s = applyStream(s, [ev({ type: 'decided', node: 'gate', approved: true, by: 'olga', comment: 'ok' })]);
    expect(shownNode(s, 'gate').status).toBe('succeeded');
  });

  it('takes the events a snapshot reflects from the snapshot when it says, else from the stream', () => {
    expect(reflectedSeq({ ...snapshot('running', {}), events: 7 }, 2)).toBe(6);
    expect(reflectedSeq({ ...snapshot('running', {}), events: null }, 2)).toBe(2);
    expect(reflectedSeq(snapshot('running', {}), 2)).toBe(2);
  });

  it('reopens a failed step on retry and remembers the input given', () => {
    seq = 0;
    let s = applyStream(initialLive(plan), [
      ev({ type: 'step_started', node: 'a', attempt: 1 }),
      ev({ type: 'step_finished', node: 'a', attempt: 1, outcome: { status: 'failed', kind: 'fatal', message: 'no', retryable: false } }),
    ]);
    s = adoptSnapshot(s, snapshot('failed', { a: { status: 'failed', attempts: 1 } }), s.lastSeq);
    s = applyStream(s, [ev({ type: 'node_retried', node: 'a', input: { target: 'good' }, by: 'admin' })]);
    expect(shownNode(s, 'a')).toMatchObject({ status: 'running', retryInput: { target: 'good' } });
  });

  it('sees a cancel before the snapshot does', () => {
    seq = 0;
    let s = adoptSnapshot(initialLive(plan), snapshot('running', {}), 0);
    s = applyStream(s, [ev({ type: 'cancelled', by: 'admin', reason: '' }), { kind: 'end' }]);
    expect(shownRunStatus(s)).toBe('cancelled');
    expect(s.ended).toBe(true);
  });

  it('merges paged logs with live ones', () => {
    seq = 0;
    const s = applyStream(initialLive(plan), [log('each[1]', 1, 5)]);
    const page: StepLog[] = [
      { cursor: 4, node: 'each[0]', attempt: 1, logs: [], atom_calls: [] },
      { cursor: 5, node: 'each[1]', attempt: 1, logs: [], atom_calls: [] },
    ];
    const merged = addLogs(s, page);
    expect(logsOf(merged, 'each').map((l) => l.cursor)).toEqual([4, 5]);
    expect(addLogs(merged, page)).toBe(merged);
  });

  it('splits item names', () => {
    expect(splitItem('hosts[12]')).toEqual(['hosts', 12]);
    expect(splitItem('plain')).toEqual(['plain', null]);
  });
});
