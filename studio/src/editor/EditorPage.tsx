// `/t/:tenant/flows/:name`: the flow's draft in the editor (or, when it has
// no draft yet, its latest version as the starting point).
import { useCallback, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { ReactFlowProvider } from '@xyflow/react';
import { api, ok } from '../api/client';
import { loadCore, type Problem } from '../core/core';
import { useTenant } from '../session/session';
import { ErrorNote } from '../ui/ErrorNote';
import { useLoad } from '../ui/useLoad';
import { FlowEditor, type LoadedFlow } from './FlowEditor';
import type { FlowDocument } from './graph';
import type { VersionSummary } from './VersionsPanel';
import { newFlowDocument } from './newFlow';
import { usePlugins } from './usePlugins';
import { appOfFlow } from '../market/installedFlow';

interface FlowAnswer {
  draft: { flow: FlowDocument; revision: number; problems?: Problem[] } | null;
  versions: VersionSummary[];
}

export async function loadFlow(tenant: string, name: string): Promise<LoadedFlow> {
  const answer = (await ok(
    api.GET('/api/v1/tenants/{tenant}/flows/{name}', { params: { path: { tenant, name } } }),
  )) as unknown as FlowAnswer;
  if (answer.draft) {
    return { flow: answer.draft.flow, revision: answer.draft.revision, problems: answer.draft.problems ?? null, versions: answer.versions };
  }
  const latest = answer.versions[answer.versions.length - 1];
  if (!latest) return { flow: newFlowDocument(name) as FlowDocument, revision: null, problems: null, versions: [] };
  const version = (await ok(
    api.GET('/api/v1/tenants/{tenant}/flows/{name}/versions/{version}', {
      params: { path: { tenant, name, version: String(latest.version) } },
    }),
  )) as unknown as { flow: FlowDocument };
  return { flow: version.flow, revision: null, problems: null, versions: answer.versions };
}

export default function EditorPage() {
  const { t } = useTranslation('editor');
  const { name = '' } = useParams();
  const tenant = useTenant();
  const loaded = useLoad(() => loadFlow(tenant.name, name), [tenant.name, name]);
  const reload = useCallback(() => loadFlow(tenant.name, name), [tenant.name, name]);
  // The plugins and the validator load while the flow does, not after it.
  const plugins = usePlugins(tenant.name);
  useEffect(() => void loadCore().catch(() => undefined), []);
  if (loaded.error) return <ErrorNote error={loaded.error} />;
  if (!loaded.data) return <p>{t('page.loading')}</p>;
  return (
    <ReactFlowProvider>
      <FlowEditor
        key={`${tenant.name}/${name}`}
        tenant={tenant.name}
        name={name}
        loaded={loaded.data}
        // An installed app's flow (`APP/FLOW`) changes only by installing another version of the app.
        canEdit={tenant.may('edit') && !appOfFlow(name)}
        canPublish={tenant.may('publish') && !appOfFlow(name)}
        installedFrom={appOfFlow(name)}
        canRun={tenant.may('run')}
        reload={reload}
        plugins={plugins}
      />
    </ReactFlowProvider>
  );
}
