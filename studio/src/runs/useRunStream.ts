// The live run: the run's event stream (SSE) folded into `LiveState`, with
// the snapshot read again after events (throttled) and when the run ends.
//
// Events are queued as they arrive and applied once per animation frame, in
// arrival order: a 200-item foreach sends hundreds of events a second, and
// one render per event would fall behind. The browser's EventSource
// reconnects by itself with Last-Event-ID; the reducer ignores an event id
// it has applied, so a replay changes nothing. The stream starts from the
// run's first event, but the snapshot says how many events it reflects, so
// the replay of those does not redraw nodes the snapshot already shows.
// The hook belongs to one run: its page is keyed by the run's id.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ok } from '../api/client';
import { adoptSnapshot, addLogs, applyStream, initialLive, reflectedSeq, reopen, type LiveState, type PlanInfo } from './liveState';
import { ENGINE_EVENT_NAMES, isFinal, type EngineEvent, type RunView, type StepLog, type StreamItem } from './runTypes';

/** The shortest time between two reads of the run's snapshot while events flow. */
const SNAPSHOT_EVERY_MS = 400;

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'ended';

export function asRunView(data: unknown): RunView {
  return data as RunView;
}

export function useRunStream(tenant: string, id: string, plan: PlanInfo | null, first: RunView | null) {
  const [state, setState] = useState<LiveState | null>(null);
  const [stream, setStream] = useState<StreamStatus>('connecting');
  const queue = useRef<StreamItem[]>([]);
  /** The newest event id received (ids count from 0). */
  const received = useRef(-1);
  const flushScheduled = useRef(false);
  const snapshotTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastSnapshotAt = useRef(0);
  const alive = useRef(true);
  // A control can reopen a run that ended (retry, skip): a new stream is opened then.
  const [generation, setGeneration] = useState(0);
  const streamOver = useRef(false);

  useEffect(() => {
    if (plan && first) setState(adoptSnapshot(initialLive(plan), first, reflectedSeq(first, -1)));
  }, [plan, first]);

  /** Read the snapshot now; it holds at least every event received before the request. */
  const readSnapshot = useCallback(async () => {
    const asOf = received.current;
    lastSnapshotAt.current = Date.now();
    try {
      const run = await ok(api.GET('/api/v1/tenants/{tenant}/runs/{id}', { params: { path: { tenant, id } } }));
      const view = asRunView(run);
      if (alive.current) setState((s) => (s ? adoptSnapshot(s, view, reflectedSeq(view, asOf)) : s));
    } catch {
      // The stream goes on; the next event asks again.
    }
  }, [tenant, id]);

  const scheduleSnapshot = useCallback(
    (now: boolean) => {
      if (snapshotTimer.current) {
        if (!now) return;
        clearTimeout(snapshotTimer.current);
      }
      const wait = now ? 0 : Math.max(0, SNAPSHOT_EVERY_MS - (Date.now() - lastSnapshotAt.current));
      snapshotTimer.current = setTimeout(() => {
        snapshotTimer.current = null;
        void readSnapshot();
      }, wait);
    },
    [readSnapshot],
  );

  /** A control's answer is the newest snapshot there is. */
  const adopt = useCallback((run: RunView) => {
    const asOf = received.current;
    const reopened = streamOver.current && !isFinal(run.status);
    setState((s) => (s ? adoptSnapshot(reopened ? reopen(s) : s, run, reflectedSeq(run, asOf)) : s));
    if (reopened) {
      streamOver.current = false;
      setGeneration((g) => g + 1);
    }
  }, []);

  const mergeLogs = useCallback((entries: StepLog[]) => {
    setState((s) => (s ? addLogs(s, entries) : s));
  }, []);

  useEffect(() => {
    if (!plan || !first) return;
    alive.current = true;
    streamOver.current = false;
    setStream('connecting');
    const flush = () => {
      flushScheduled.current = false;
      const batch = queue.current.splice(0);
      if (batch.length === 0) return;
      setState((s) => (s ? applyStream(s, batch) : s));
      const ended = batch.some((item) => item.kind === 'end');
      if (ended) scheduleSnapshot(true);
      else if (batch.some((item) => item.kind === 'event')) scheduleSnapshot(false);
    };
    const push = (item: StreamItem) => {
      queue.current.push(item);
      if (flushScheduled.current) return;
      flushScheduled.current = true;
      // A hidden tab gets no animation frames: the timer flushes then.
      requestAnimationFrame(flush);
      setTimeout(() => flushScheduled.current && flush(), 250);
    };
    const source = new EventSource(`/api/v1/tenants/${encodeURIComponent(tenant)}/runs/${encodeURIComponent(id)}/events`);
    source.onopen = () => setStream('live');
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setStream('ended');
      else setStream('reconnecting');
    };
    const onEvent = (message: MessageEvent<string>) => {
      const seq = Number(message.lastEventId);
      if (message.lastEventId === '' || !Number.isInteger(seq) || seq < 0) return;
      received.current = Math.max(received.current, seq);
      push({ kind: 'event', seq, event: JSON.parse(message.data) as EngineEvent });
    };
    for (const name of ENGINE_EVENT_NAMES) source.addEventListener(name, onEvent);
    source.addEventListener('log', (message: MessageEvent<string>) => {
      push({ kind: 'log', log: JSON.parse(message.data) as StepLog });
    });
    source.addEventListener('end', () => {
      // The server ends the stream after this; closing keeps the browser from reconnecting.
      source.close();
      streamOver.current = true;
      setStream('ended');
      push({ kind: 'end' });
    });
    return () => {
      alive.current = false;
      source.close();
      if (snapshotTimer.current) clearTimeout(snapshotTimer.current);
      snapshotTimer.current = null;
    };
  }, [tenant, id, plan, first, scheduleSnapshot, generation]);

  return { state, stream, adopt, mergeLogs, refresh: readSnapshot };
}
