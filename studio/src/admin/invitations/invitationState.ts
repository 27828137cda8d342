/** Where an invitation stands, from its fields (`now` as an RFC 3339 instant or a Date). */
export type InvitationState = 'open' | 'accepted' | 'revoked' | 'expired';

export function invitationState(
  invitation: { accepted_at?: string | null; revoked_at?: string | null; expires_at: string },
  now: Date,
): InvitationState {
  if (invitation.accepted_at) return 'accepted';
  if (invitation.revoked_at) return 'revoked';
  return new Date(invitation.expires_at).getTime() <= now.getTime() ? 'expired' : 'open';
}
