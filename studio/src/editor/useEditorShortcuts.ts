// The editor's keyboard shortcuts. Ctrl+S saves from anywhere on the page;
// the others leave text fields (and the expression editors) alone.
import { useEffect } from 'react';
import type { EditorActions } from './useFlowEditor';

function isTextTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.closest('.cm-editor') !== null;
}

export function useEditorShortcuts({ actions, save, readOnly }: { actions: EditorActions; save: () => void; readOnly: boolean }) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      const key = event.key.toLowerCase();
      if (key === 's') {
        event.preventDefault();
        if (!readOnly) save();
        return;
      }
      if (readOnly || isTextTarget(event.target)) return;
      if (key === 'z' && event.shiftKey) actions.redo();
      else if (key === 'z') actions.undo();
      else if (key === 'y') actions.redo();
      else if (key === 'c') {
        if (!actions.copy()) return;
      } else if (key === 'v') actions.paste();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions, save, readOnly]);
}
