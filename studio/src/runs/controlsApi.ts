// The operators' controls, as typed API calls answering the run's new state.
import { api, ok } from '../api/client';
import { asRunView } from './useRunStream';
import type { RunView } from './runTypes';

export type RunAction = 'cancel' | 'pause' | 'unpause';
export type NodeAction = 'approve' | 'reject' | 'retry' | 'skip' | 'force-fail';

export interface ControlBody {
  reason?: string;
  comment?: string;
  input?: unknown;
  output?: unknown;
}

export async function controlRun(tenant: string, id: string, action: RunAction, body: ControlBody): Promise<RunView> {
  const answer = await ok(
    api.POST('/api/v1/tenants/{tenant}/runs/{id}/{action}', {
      params: { path: { tenant, id, action } },
      body: body as never,
    }),
  );
  return asRunView(answer);
}

export async function controlNode(
  tenant: string,
  id: string,
  node: string,
  action: NodeAction,
  body: ControlBody,
): Promise<RunView> {
  const answer = await ok(
    api.POST('/api/v1/tenants/{tenant}/runs/{id}/nodes/{node}/{action}', {
      params: { path: { tenant, id, node, action } },
      body: body as never,
    }),
  );
  return asRunView(answer);
}
