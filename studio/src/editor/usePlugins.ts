// The tenant's plugins: the listing for the palette, and each version's
// input/output schemas (for the forms, the autocompletion and the
// validator), fetched once per editor.
import { useEffect, useMemo, useState } from 'react';
import { api, ok } from '../api/client';
import type { KnownPlugin } from '../core/core';

export interface PluginSummary {
  name: string;
  version: string;
  title?: string | null;
  description?: string | null;
  category?: string | null;
  capabilities?: string[];
  yanked?: boolean;
}

export interface PluginDetail extends PluginSummary {
  input_schema: unknown;
  output_schema: unknown;
}

export function usePlugins(tenant: string) {
  const [listing, setListing] = useState<PluginSummary[] | null>(null);
  const [details, setDetails] = useState<Map<string, PluginDetail>>(new Map());
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let current = true;
    const load = async () => {
      const answer = await ok(api.GET('/api/v1/tenants/{tenant}/plugins', { params: { path: { tenant } } }));
      const plugins = (answer as { plugins: PluginSummary[] }).plugins;
      if (!current) return;
      setListing(plugins);
      const fetched = await Promise.all(
        plugins.map((p) =>
          ok(
            api.GET('/api/v1/tenants/{tenant}/plugins/{plugin}/{version}', {
              params: { path: { tenant, plugin: p.name, version: p.version } },
            }),
          )
            .then((detail) => detail as unknown as PluginDetail)
            .catch(() => null),
        ),
      );
      if (!current) return;
      setDetails(new Map(fetched.filter((d): d is PluginDetail => d !== null).map((d) => [`${d.name}@${d.version}`, d])));
    };
    load().catch((failure: unknown) => current && setError(failure));
    return () => {
      current = false;
    };
  }, [tenant]);

  /** What the validator needs to check steps' inputs: null until the schemas are in. */
  const known = useMemo<KnownPlugin[] | null>(
    () =>
      details.size === 0 && listing !== null && listing.length > 0
        ? null
        : [...details.values()].map((d) => ({ name: d.name, version: d.version, input_schema: d.input_schema })),
    [details, listing],
  );

  return { listing, details, known, error, ready: listing !== null && (listing.length === 0 || details.size > 0) };
}
