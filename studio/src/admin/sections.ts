// The admin area's pages and the right each needs to be offered: the
// sub-navigation and the routes are both made from this list.

export interface AdminSection {
  /** The route segment under `/t/:tenant/admin/`. */
  path: string;
  /** Offered when the caller's role may do this (`useTenant().may`). */
  needs: string;
}

export const SECTIONS: readonly AdminSection[] = [
  { path: 'members', needs: 'manage_members' },
  { path: 'invitations', needs: 'manage_members' },
  { path: 'tokens', needs: 'read' },
  { path: 'grants', needs: 'read' },
  { path: 'secrets', needs: 'read' },
  { path: 'channels', needs: 'read' },
  { path: 'hosts', needs: 'read' },
  { path: 'agents', needs: 'read' },
  // Read by every member; uploading and deleting need `publish` (offered on the page).
  { path: 'files', needs: 'read' },
  { path: 'plugins', needs: 'read' },
  // There is no route to read a flow's webhook: only those who may set one see the page.
  { path: 'webhooks', needs: 'publish' },
  { path: 'schedules', needs: 'read' },
  { path: 'audit', needs: 'audit' },
];

/** The sections `may` allows, in navigation order. */
export function offeredSections(may: (action: string) => boolean): AdminSection[] {
  return SECTIONS.filter((section) => may(section.needs));
}
