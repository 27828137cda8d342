// A CodeMirror 6 editor for a string holding `${…}` expressions (or a bare
// expression), completing `inputs.…` and `steps.<id>.output.…` from the
// scope of the node it belongs to, and showing the CEL compiler's error
// with its position (the core compiled to wasm: the server's own compiler).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { minimalSetup } from 'codemirror';
import { EditorView } from '@codemirror/view';
import { Compartment, EditorState } from '@codemirror/state';
import { autocompletion, closeBrackets, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { firstExpressionProblem, type ExpressionProblem } from './expressions';
import { completionsAt, pathBeforeCursor, type ScopeEntry } from './scope';

export function ExpressionEditor({
  value,
  onChange,
  scope,
  label,
  bare = false,
  readOnly = false,
  id,
}: {
  value: string;
  onChange: (value: string) => void;
  scope: ScopeEntry;
  /** The accessible name of the editor. */
  label: string;
  /** A bare expression (switch conditions, foreach items) rather than a string with `${…}` parts. */
  bare?: boolean;
  readOnly?: boolean;
  id?: string;
}) {
  const { t } = useTranslation('editor');
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const scopeRef = useRef(scope);
  scopeRef.current = scope;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const editable = useRef(new Compartment());
  const [problem, setProblem] = useState<ExpressionProblem | null>(null);

  useEffect(() => {
    const complete = (context: CompletionContext): CompletionResult | null => {
      const before = context.state.sliceDoc(0, context.pos);
      const at = pathBeforeCursor(before, bare);
      if (!at) return null;
      if (!at.word && at.path.length === 0 && !context.explicit && !before.endsWith('${')) return null;
      const options = completionsAt(scopeRef.current, at.path).map((c) => ({
        label: c.label,
        type: at.path.length === 0 ? 'variable' : 'property',
        ...(c.detail ? { detail: c.detail } : {}),
        ...(c.info ? { info: c.info } : {}),
      }));
      if (options.length === 0) return null;
      return { from: at.from, options, validFor: /^[A-Za-z0-9_]*$/ };
    };
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          minimalSetup,
          closeBrackets(),
          autocompletion({ override: [complete], activateOnTyping: true, icons: false }),
          EditorView.lineWrapping,
          editable.current.of([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
          EditorView.contentAttributes.of({ 'aria-label': label, ...(id ? { id } : {}) }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChangeRef.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once; value, readOnly and scope reach it below or through refs.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: editable.current.reconfigure([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
    });
  }, [readOnly]);

  // The compiler's verdict, a moment after typing stops.
  useEffect(() => {
    let current = true;
    const timer = window.setTimeout(() => {
      firstExpressionProblem(value, bare)
        .then((found) => current && setProblem(found))
        .catch(() => current && setProblem(null));
    }, 300);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [value, bare]);

  return (
    <div>
      <div className="editor-expr" ref={host} />
      {problem && (
        <p className="editor-expr-error" role="status">
          {t('expression.errorAt', {
            line: problem.line ?? 1,
            column: problem.column ?? 1,
            message: problem.message || t('expression.unclosed'),
          })}
        </p>
      )}
    </div>
  );
}
