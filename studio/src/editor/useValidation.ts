// Live validation with the server's own validator (the core compiled to
// wasm), a moment after the document stops changing. Drag frames do not
// move the generation, so a drag validates once, at its end. Meanwhile the
// problems shown are marked as the previous document's (`checking`).
import { useEffect, useState } from 'react';
import { validateFlow, type KnownPlugin, type Problem } from '../core/core';
import type { FlowDocument } from './graph';

export const VALIDATE_DELAY_MS = 300;

export function useValidation(generation: number, document: () => FlowDocument, plugins: KnownPlugin[] | null) {
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  /** The document's generation the problems shown were found in. */
  const [checked, setChecked] = useState<number | null>(null);
  useEffect(() => {
    let current = true;
    const timer = window.setTimeout(() => {
      validateFlow(document(), plugins)
        .then((found) => {
          if (!current) return;
          setProblems(found);
          setFailure(null);
          setChecked(generation);
        })
        .catch((error: unknown) => current && setFailure(error));
    }, VALIDATE_DELAY_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [generation, document, plugins]);
  // Right after a change (a file picked, a field typed) the problems shown
  // are the previous document's until the check ends: said, not hidden.
  return { problems, failure, checking: checked !== generation };
}

/** Problems grouped by node id, for the nodes' badges. */
export function problemsByNode(problems: Problem[] | null): Map<string, string[]> {
  const byNode = new Map<string, string[]>();
  for (const p of problems ?? []) {
    if (!p.node) continue;
    const list = byNode.get(p.node) ?? [];
    list.push(p.message);
    byNode.set(p.node, list);
  }
  return byNode;
}
