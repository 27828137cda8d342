// The editor of one flow: toolbar, palette, canvas and side panels, wired to
// the editor state, live validation, saving, publishing and shortcuts.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useReactFlow } from '@xyflow/react';
import { api, ApiFailure, ok } from '../api/client';
import type { Problem } from '../core/core';
import { ErrorNote } from '../ui/ErrorNote';
import { Canvas } from './Canvas';
import { PanelBoundary } from './PanelBoundary';
import { Palette } from './Palette';
import { InputsBuilder } from './InputsBuilder';
import { ProblemsPanel } from './ProblemsPanel';
import { VersionsPanel, type VersionSummary } from './VersionsPanel';
import { ConflictDialog } from './ConflictDialog';
import { useFlowEditor, type NewNode } from './useFlowEditor';
import type { usePlugins } from './usePlugins';
import { problemsByNode, useValidation } from './useValidation';
import { useDraftSaving } from './useDraftSaving';
import { useEditorShortcuts } from './useEditorShortcuts';
import { autoLayout } from './layout';
import { expressionScope, resolvePluginVersion, type ScopeEntry } from './scope';
import type { FlowDocument } from './graph';
import { NODE_SIZE } from './nodeSizes';
import { LightAppToggle } from '../light/LightAppToggle';
import './editor.css';

type Plugins = ReturnType<typeof usePlugins>;

export interface LoadedFlow {
  flow: FlowDocument;
  revision: number | null;
  problems: Problem[] | null;
  versions: VersionSummary[];
}

const EMPTY_SCOPE: ScopeEntry = {};

// The inspector brings the form and expression editors (rjsf, CodeMirror):
// loaded when a node is first selected, so that the canvas opens sooner.
const Inspector = lazy(() => import('./Inspector').then((module) => ({ default: module.Inspector })));

export function FlowEditor({
  tenant,
  name,
  loaded,
  canEdit,
  canPublish,
  canRun,
  reload,
  plugins,
  installedFrom = null,
}: {
  tenant: string;
  name: string;
  loaded: LoadedFlow;
  canEdit: boolean;
  canPublish: boolean;
  canRun: boolean;
  reload: () => Promise<LoadedFlow>;
  plugins: Plugins;
  /** The app this flow was installed from (`APP/FLOW`), which makes it read-only. */
  installedFrom?: string | null;
}) {
  const { t } = useTranslation('editor');
  const readOnly = !canEdit;
  const { state, generation, historySize, actions } = useFlowEditor(loaded.flow);
  const validation = useValidation(generation, actions.document, plugins.known);
  const problems = validation.problems ?? loaded.problems;
  const saving = useDraftSaving({
    tenant,
    name,
    initialRevision: loaded.revision,
    generation,
    document: actions.document,
    enabled: canEdit,
  });
  const [versions, setVersions] = useState(loaded.versions);
  const [publishNote, setPublishNote] = useState<string | null>(null);
  const [publishProblems, setPublishProblems] = useState<Problem[] | null>(null);
  const [publishError, setPublishError] = useState<unknown>(null);
  const flow = useReactFlow();
  const canvasBox = useRef<HTMLDivElement>(null);

  useEffect(() => actions.showProblems(problemsByNode(problems)), [problems, actions]);

  const selected = state.nodes.filter((n) => n.selected);
  // The same array while the ids stay the same (a drag moves nodes, it does not rename them).
  const idsRef = useRef<string[]>([]);
  const nodeIds = useMemo(() => {
    const ids = state.nodes.map((n) => n.id);
    const same = ids.length === idsRef.current.length && ids.every((id, i) => idsRef.current[i] === id);
    if (!same) idsRef.current = ids;
    return idsRef.current;
  }, [state.nodes]);
  const nodesRef = useRef(state.nodes);
  nodesRef.current = state.nodes;
  const single = selected.length === 1 ? selected[0]! : null;

  const listing = plugins.listing;
  const details = plugins.details;
  const detailOf = useCallback(
    (reference: string) => {
      if (!listing) return undefined;
      const version = resolvePluginVersion(reference, listing);
      if (!version) return null;
      return details.get(`${reference.split('@')[0]}@${version}`);
    },
    [listing, details],
  );
  const inputSchemaOf = useCallback((reference: string) => {
    const detail = detailOf(reference);
    return detail === null ? true : detail?.input_schema;
  }, [detailOf]);

  const singleId = single?.id ?? null;
  const scope = useMemo(() => {
    if (!singleId) return EMPTY_SCOPE;
    const doc = actions.document();
    const byId = new Map(doc.nodes.map((n) => [n.id, n]));
    return expressionScope(doc, singleId, (id) => {
      const node = byId.get(id);
      const reference = node?.kind === 'step' ? node.plugin : undefined;
      return reference ? (detailOf(reference)?.output_schema ?? undefined) : undefined;
    });
    // The scope follows the document (generation), not every selection change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [singleId, generation, detailOf, actions]);

  const centre = useCallback(() => {
    const box = canvasBox.current?.getBoundingClientRect();
    if (!box) return { x: 0, y: 0 };
    const at = flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
    // Nodes added one after another at the centre should not cover each other.
    const taken = nodesRef.current.filter((n) => Math.abs(n.position.x - at.x) < 40 && Math.abs(n.position.y - at.y) < 40).length;
    return { x: at.x - NODE_SIZE.step.width / 2 + taken * 30, y: at.y - NODE_SIZE.step.height / 2 + taken * 30 };
  }, [flow]);

  const addAt = useCallback((what: NewNode, position: { x: number; y: number }) => actions.addNode(what, position), [actions]);
  const addAtCentre = useCallback((what: NewNode) => actions.addNode(what, centre()), [actions, centre]);

  const focusNode = useCallback(
    (id: string) => {
      actions.select(id);
      void flow.fitView({ nodes: [{ id }], duration: 250, maxZoom: 1.2 });
      window.setTimeout(() => {
        document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`)?.focus();
      }, 50);
    },
    [actions, flow],
  );

  const edgesRef = useRef(state.edges);
  edgesRef.current = state.edges;
  const layout = useCallback(async () => {
    const laid = await autoLayout(nodesRef.current, edgesRef.current);
    actions.placeNodes(new Map(laid.map((n) => [n.id, n.position])));
    window.setTimeout(() => void flow.fitView({ duration: 250 }), 30);
  }, [actions, flow]);

  const save = useCallback(() => {
    if (canEdit) void saving.save();
  }, [canEdit, saving]);

  const publish = useCallback(async () => {
    setPublishNote(null);
    setPublishProblems(null);
    setPublishError(null);
    if (canEdit && saving.dirty() && !(await saving.save())) return;
    try {
      const answer = (await ok(
        api.POST('/api/v1/tenants/{tenant}/flows/{name}/versions', { params: { path: { tenant, name } } }),
      )) as unknown as { version: number; created: boolean };
      setPublishNote(answer.created ? t('publish.done', { version: answer.version }) : t('publish.same', { version: answer.version }));
      const list = (await ok(
        api.GET('/api/v1/tenants/{tenant}/flows/{name}/versions', { params: { path: { tenant, name } } }),
      )) as unknown as { versions: VersionSummary[] };
      setVersions(list.versions);
    } catch (failure) {
      setPublishError(failure);
      if (failure instanceof ApiFailure) {
        const details = failure.details as { problems?: Problem[] } | null;
        if (details?.problems) setPublishProblems(details.problems);
      }
    }
  }, [canEdit, saving, tenant, name, t]);

  useEditorShortcuts({ actions, save, readOnly });

  // Leaving the page with changes not yet saved asks first (the browser's own question).
  const unsaved = canEdit && saving.state !== 'saved';
  useEffect(() => {
    if (!unsaved) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsaved]);

  const reloadTheirs = useCallback(async () => {
    const fresh = await reload();
    actions.reset(fresh.flow);
    setVersions(fresh.versions);
    // reset moves the generation on by one: that state is the saved one.
    saving.adopt(fresh.revision, generation + 1);
  }, [reload, actions, saving, generation]);

  const setInputs = useCallback(
    (inputs: unknown) => actions.updateBase((base) => ({ ...base, inputs }), 'inputs'),
    [actions],
  );

  const saveLabel = t(`save.state.${saving.state}`);
  const conflictMessage = saving.error instanceof ApiFailure ? saving.error.message : '';

  return (
    <div className="editor-page">
      <div className="editor-toolbar" role="toolbar" aria-label={t('toolbar.label')}>
        <h1>{state.base.title || name}</h1>
        {readOnly && <span className="editor-readonly-note">{t('toolbar.readOnly')}</span>}
        {canEdit && (
          <>
            <button type="button" className="primary" onClick={save} disabled={saving.state === 'saving'}>
              {t('toolbar.save')}
            </button>
            <span className="editor-save-state" role="status" aria-live="polite" data-save-state={saving.state}>
              {saveLabel}
            </span>
            <button type="button" onClick={actions.undo} disabled={historySize.past === 0}>
              {t('toolbar.undo')}
            </button>
            <button type="button" onClick={actions.redo} disabled={historySize.future === 0}>
              {t('toolbar.redo')}
            </button>
            <button type="button" onClick={() => void layout()}>
              {t('toolbar.layout')}
            </button>
          </>
        )}
        <button type="button" onClick={() => void flow.fitView({ duration: 250 })}>
          {t('toolbar.fit')}
        </button>
        {canPublish && (
          <button type="button" onClick={() => void publish()}>
            {t('toolbar.publish')}
          </button>
        )}
        {canRun && versions.length > 0 && <Link to={`/t/${tenant}/flows/${encodeURIComponent(name)}/run`}>{t('toolbar.run')}</Link>}
      </div>
      {canPublish && versions.length > 0 && <LightAppToggle tenant={tenant} flow={name} />}
      {installedFrom && (
        <p className="hint" data-testid="installed-flow-note">
          {t('flow.readOnly', { ns: 'market', app: installedFrom })}{' '}
          <Link to={`/t/${tenant}/market/apps/${encodeURIComponent(installedFrom)}`}>{t('flow.openApp', { ns: 'market' })}</Link>
        </p>
      )}
      <div role="status" aria-live="polite">
        {publishNote && <p className="hint" data-testid="publish-note">{publishNote}</p>}
      </div>
      {saving.state !== 'conflict' && <ErrorNote error={saving.error} />}
      <ErrorNote error={publishError} />
      {publishProblems && publishProblems.length > 0 && (
        <ul className="editor-problems">
          {publishProblems.map((p, i) => (
            <li key={i} className="editor-expr-error">
              {p.node ? `${p.node}: ` : ''}
              {p.message}
            </li>
          ))}
        </ul>
      )}
      <ErrorNote error={plugins.error ?? validation.failure} />
      <div className="editor-body">
        {!readOnly && <Palette plugins={plugins.listing} onAdd={addAtCentre} />}
        <Canvas boxRef={canvasBox} nodes={state.nodes} edges={state.edges} actions={actions} readOnly={readOnly} onAdd={addAt} />
        <div className={validation.checking ? 'editor-side editor-checking' : 'editor-side'} data-checking={validation.checking}>
          {single ? (
            <PanelBoundary
              resetKey={single.id}
              fallback={(error) => (
                <p className="error-note" role="alert">
                  {t('inspector.failed', { message: error.message })}
                </p>
              )}
            >
            <Suspense fallback={<p className="hint">{t('page.loading')}</p>}>
            <Inspector
              key={single.id}
              id={single.id}
              data={single.data}
              nodeIds={nodeIds}
              edges={state.edges}
              actions={actions}
              scope={scope}
              inputSchemaOf={inputSchemaOf}
              readOnly={readOnly}
            />
            </Suspense>
            </PanelBoundary>
          ) : (
            <p className="hint">{selected.length > 1 ? t('inspector.many', { count: selected.length }) : t('inspector.empty')}</p>
          )}
          <ProblemsPanel problems={problems} checking={validation.checking} onFocusNode={focusNode} />
          <details>
            <summary>{t('inputs.title')}</summary>
            <InputsBuilder
              schema={state.base.inputs}
              readOnly={readOnly}
              onChange={setInputs}
            />
          </details>
          <VersionsPanel tenant={tenant} name={name} versions={versions} />
        </div>
      </div>
      <ConflictDialog
        open={saving.state === 'conflict'}
        message={conflictMessage}
        onReload={reloadTheirs}
        onOverwrite={saving.overwrite}
      />
    </div>
  );
}
