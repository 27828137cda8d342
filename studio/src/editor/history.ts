// Undo/redo over immutable snapshots of the graph. A snapshot is taken
// before each change; changes with the same key in quick succession (typing
// in one field) share one entry, so one undo takes back the whole edit.

export interface History<T> {
  past: T[];
  future: T[];
  lastKey: string | null;
  lastAt: number;
}

export const HISTORY_LIMIT = 200;
const COALESCE_MS = 1000;

export function emptyHistory<T>(): History<T> {
  return { past: [], future: [], lastKey: null, lastAt: 0 };
}

/** The history after recording `current` as the state before a change. */
export function record<T>(history: History<T>, current: T, key: string | null = null, now = Date.now()): History<T> {
  if (key !== null && key === history.lastKey && now - history.lastAt < COALESCE_MS) {
    return { ...history, lastAt: now, future: [] };
  }
  const past = [...history.past, current];
  if (past.length > HISTORY_LIMIT) past.shift();
  return { past, future: [], lastKey: key, lastAt: now };
}

/** Step back: the state to show and the new history, or null when there is nothing to undo. */
export function undo<T>(history: History<T>, current: T): { state: T; history: History<T> } | null {
  const state = history.past[history.past.length - 1];
  if (state === undefined) return null;
  return {
    state,
    history: { past: history.past.slice(0, -1), future: [current, ...history.future], lastKey: null, lastAt: 0 },
  };
}

export function redo<T>(history: History<T>, current: T): { state: T; history: History<T> } | null {
  const state = history.future[0];
  if (state === undefined) return null;
  return {
    state,
    history: { past: [...history.past, current], future: history.future.slice(1), lastKey: null, lastAt: 0 },
  };
}
