// Where a light app is opened: `/light/TENANT/FLOW` on the studio's origin
// (an installed app's flow `APP/FLOW` keeps its slash encoded).

export function lightAppPath(tenant: string, flow: string): string {
  return `/light/${encodeURIComponent(tenant)}/${encodeURIComponent(flow)}`;
}

export function lightAppLink(origin: string, tenant: string, flow: string): string {
  return new URL(lightAppPath(tenant, flow), origin).toString();
}

/** Whether a run is over (nothing more will change without people). */
export function isFinal(status: string): boolean {
  return ['succeeded', 'failed', 'cancelled'].includes(status);
}
