import { useCallback, useEffect, useMemo, useState } from 'react';

/** What was loaded, and for which request (`null`: none answered yet). */
interface Loaded<T> {
  data: T | null;
  error: unknown;
  answers: object | null;
}

/**
 * Load something on mount and when `deps` change; `reload` loads it again.
 * `loading` is true from the very render in which `deps` changed or
 * `reload` was called until that request answers — not from the effect
 * after it, so no render shows the previous answer as current. The previous
 * data stays in `data` meanwhile, for pages that keep showing it.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [loaded, setLoaded] = useState<Loaded<T>>({ data: null, error: null, answers: null });
  const [generation, setGeneration] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const stableLoad = useCallback(load, deps);
  // A new object per request: the answer that settles it is the current one.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const request = useMemo(() => ({}), [stableLoad, generation]);
  useEffect(() => {
    let current = true;
    stableLoad()
      .then((value) => current && setLoaded({ data: value, error: null, answers: request }))
      .catch((failure: unknown) => current && setLoaded((was) => ({ data: was.data, error: failure, answers: request })));
    return () => {
      current = false;
    };
  }, [stableLoad, request]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const setData = useCallback((data: T | null) => setLoaded((was) => ({ ...was, data })), []);
  return { data: loaded.data, error: loaded.error, loading: loaded.answers !== request, reload, setData };
}
