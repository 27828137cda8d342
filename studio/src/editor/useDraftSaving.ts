// Saving the draft: on demand (button, Ctrl+S) and a few seconds after the
// last change, always conditional on the revision last read or saved
// (`If-Match`), so that someone else's save in between is never overwritten
// silently: the server answers 412 `draft_changed` and the page asks.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiFailure, ok } from '../api/client';
import type { Problem } from '../core/core';
import type { FlowDocument } from './graph';

export const AUTOSAVE_MS = 3000;

export type SaveState = 'saved' | 'dirty' | 'saving' | 'conflict' | 'failed';

interface SavedAnswer {
  revision: number;
  problems?: Problem[];
}

export function useDraftSaving({
  tenant,
  name,
  initialRevision,
  generation,
  document,
  enabled,
}: {
  tenant: string;
  name: string;
  initialRevision: number | null;
  generation: number;
  document: () => FlowDocument;
  enabled: boolean;
}) {
  const revision = useRef<number | null>(initialRevision);
  const currentGeneration = useRef(generation);
  currentGeneration.current = generation;
  const savedGeneration = useRef(generation);
  const [state, setState] = useState<SaveState>('saved');
  const [error, setError] = useState<unknown>(null);
  const [serverProblems, setServerProblems] = useState<Problem[] | null>(null);
  const inFlight = useRef<Promise<boolean> | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;

  const put = useCallback(
    async (flow: FlowDocument, at: number | null) => {
      const headers: Record<string, string> = at === null ? { 'If-None-Match': '*' } : { 'If-Match': `"${at}"` };
      const answer = (await ok(
        api.PUT('/api/v1/tenants/{tenant}/flows/{name}/draft', {
          params: { path: { tenant, name } },
          body: flow as never,
          headers,
        }),
      )) as unknown as SavedAnswer;
      revision.current = answer.revision;
      setServerProblems(answer.problems ?? null);
    },
    [tenant, name],
  );

  /** Save now; true when saved. A conflict leaves the state `conflict` for the dialog. */
  const save = useCallback(async (): Promise<boolean> => {
    if (inFlight.current) await inFlight.current;
    const generationAtSave = currentGeneration.current;
    const attempt = (async () => {
      setState('saving');
      setError(null);
      try {
        await put(document(), revision.current);
        savedGeneration.current = generationAtSave;
        setState(currentGeneration.current === generationAtSave ? 'saved' : 'dirty');
        return true;
      } catch (failure) {
        if (failure instanceof ApiFailure && failure.status === 412) setState('conflict');
        else setState('failed');
        setError(failure);
        return false;
      }
    })();
    inFlight.current = attempt;
    try {
      return await attempt;
    } finally {
      inFlight.current = null;
    }
  }, [document, put]);

  /** Overwrite the other save with this page's document: read the revision there now, then save on it. */
  const overwrite = useCallback(async () => {
    const answer = (await ok(
      api.GET('/api/v1/tenants/{tenant}/flows/{name}', { params: { path: { tenant, name } } }),
    )) as unknown as { draft: { revision: number } | null };
    revision.current = answer.draft?.revision ?? null;
    setState('dirty');
    return save();
  }, [tenant, name, save]);

  /** After reloading the other save: that is the saved state now. */
  const adopt = useCallback((at: number | null, atGeneration: number) => {
    revision.current = at;
    savedGeneration.current = atGeneration;
    setError(null);
    setState('saved');
  }, []);

  useEffect(() => {
    if (generation === savedGeneration.current) return;
    if (stateRef.current === 'saved' || stateRef.current === 'failed') setState('dirty');
    if (!enabled) return;
    const timer = window.setTimeout(() => {
      if (stateRef.current === 'conflict' || stateRef.current === 'saving') return;
      void save();
    }, AUTOSAVE_MS);
    return () => window.clearTimeout(timer);
  }, [generation, enabled, save]);

  return {
    state,
    error,
    serverProblems,
    save,
    overwrite,
    adopt,
    revision: () => revision.current,
    dirty: () => currentGeneration.current !== savedGeneration.current,
  };
}
