// Installed apps' flows are named `APP/FLOW` (the tenant's own names have no
// slash): such a flow is read-only and belongs to its app.

/** The app an installed flow (`APP/FLOW`) comes from, or null for the tenant's own. */
export function appOfFlow(name: string): string | null {
  const at = name.indexOf('/');
  return at > 0 ? name.slice(0, at) : null;
}
