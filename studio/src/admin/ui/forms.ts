// Small conversions between what admin forms hold (text) and what the API takes.

/**
 * A comma- or whitespace-separated list of flow names, as a membership's
 * or invitation's `flows` limit: `undefined` when blank (no limit).
 */
export function flowLimit(text: string): string[] | undefined {
  const names = text
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return names.length === 0 ? undefined : [...new Set(names)];
}

/** An optional expiry given as a duration (`30d`, `12h`): the body field, or nothing when blank. */
export function expiresIn(text: string): { expires_in?: string } {
  const trimmed = text.trim();
  return trimmed === '' ? {} : { expires_in: trimmed };
}

/** The absolute URL of a path the server answered (a webhook's `/hooks/…`). */
export function absoluteUrl(origin: string, path: string): string {
  return new URL(path, origin).toString();
}

/** Where an invitation is accepted: the code is the credential, so this is shown once. */
export function acceptanceLink(origin: string, code: string): string {
  return absoluteUrl(origin, `/join/${encodeURIComponent(code)}`);
}

/** The code inside an acceptance link (the inverse of `acceptanceLink`). */
export function codeOfLink(link: string): string | null {
  const match = /^\/join\/([^/]+)$/.exec(new URL(link).pathname);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

/**
 * The roles of a tenant, least to most (`runtime/core/src/roles.rs`);
 * `app_user` may only use the light apps it is given.
 */
export const ROLES = ['app_user', 'viewer', 'operator', 'developer', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];
