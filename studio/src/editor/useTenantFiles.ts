// The tenant's files, for the fields that pick one or pin one's content:
// loaded once per input form (the form asks only when one of its fields
// needs them), shared by its rows, reloaded on demand (a file uploaded in
// another tab while the flow is open).
import { useMemo } from 'react';
import { api, ok } from '../api/client';
import { useTenant } from '../session/session';
import { useLoad } from '../ui/useLoad';
import type { TenantFile } from './filePicker';

export interface TenantFiles {
  /** The list, null until it is in (it stays while reloading, and after a failed reload). */
  files: readonly TenantFile[] | null;
  loading: boolean;
  error: unknown;
  reload: () => void;
}

/** The current tenant's files, when `wanted` (else nothing is asked). */
export function useTenantFiles(wanted: boolean): TenantFiles {
  const tenant = useTenant().name;
  const ask = wanted && tenant !== '';
  const { data, loading, error, reload } = useLoad(
    async () =>
      ask ? (await ok(api.GET('/api/v1/tenants/{tenant}/files', { params: { path: { tenant } } }))).files : null,
    [tenant, ask],
  );
  return useMemo(() => ({ files: data, loading, error, reload }), [data, loading, error, reload]);
}
