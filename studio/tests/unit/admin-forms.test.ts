import { describe, expect, it } from 'vitest';
import { acceptanceLink, absoluteUrl, codeOfLink, expiresIn, flowLimit } from '../../src/admin/ui/forms';
import { appendPage, nextCursor } from '../../src/admin/audit/paging';
import { compareVersions, groupPlugins, isWasmFile } from '../../src/admin/plugins/pluginList';
import { invitationState } from '../../src/admin/invitations/invitationState';
import { offeredSections } from '../../src/admin/sections';

describe('form fields to API bodies', () => {
  it('reads a flows limit as a list, blank as no limit', () => {
    expect(flowLimit('')).toBeUndefined();
    expect(flowLimit('  , ')).toBeUndefined();
    expect(flowLimit('deploy, backup\nrestore deploy')).toEqual(['deploy', 'backup', 'restore']);
  });
  it('sends an expiry only when given', () => {
    expect(expiresIn(' ')).toEqual({});
    expect(expiresIn(' 7d ')).toEqual({ expires_in: '7d' });
  });
  it('makes an acceptance link the code can be read back from', () => {
    const link = acceptanceLink('http://127.0.0.1:8080', 'abc-DEF_123');
    expect(link).toBe('http://127.0.0.1:8080/join/abc-DEF_123');
    expect(codeOfLink(link)).toBe('abc-DEF_123');
    expect(codeOfLink('http://x/other')).toBeNull();
  });
  it('makes a webhook path absolute', () => {
    expect(absoluteUrl('http://127.0.0.1:9/', '/hooks/xyz')).toBe('http://127.0.0.1:9/hooks/xyz');
  });
});

describe('audit paging', () => {
  const entries = (...ids: number[]) => ids.map((id) => ({ id }));
  it('asks for entries before the last shown while pages are full', () => {
    expect(nextCursor(entries(9, 8, 7), 3, 3)).toBe(7);
  });
  it('stops after a short page or none', () => {
    expect(nextCursor(entries(9, 8), 2, 3)).toBeNull();
    expect(nextCursor([], 0, 3)).toBeNull();
  });
  it('appends without showing an entry twice', () => {
    expect(appendPage(entries(9, 8), entries(8, 7)).map((e) => e.id)).toEqual([9, 8, 7]);
  });
});

describe('plugin listing', () => {
  const v = (name: string, version: string, yanked = false) => ({ name, version, yanked });
  it('orders versions semantically', () => {
    expect(['0.10.0', '0.9.1', '1.0.0-rc.1', '1.0.0'].sort(compareVersions)).toEqual(['0.9.1', '0.10.0', '1.0.0-rc.1', '1.0.0']);
  });
  it('groups by name, newest first, current skipping yanked versions', () => {
    const groups = groupPlugins([v('echo', '0.1.0'), v('count', '0.2.0', true), v('count', '0.1.0'), v('count', '0.10.0', true)]);
    expect(groups.map((g) => g.name)).toEqual(['echo', 'count']);
    expect(groups[1]!.versions.map((x) => x.version)).toEqual(['0.10.0', '0.2.0', '0.1.0']);
    expect(groups[1]!.current.version).toBe('0.1.0');
  });
  it('shows the newest when every version is yanked', () => {
    expect(groupPlugins([v('a', '0.1.0', true), v('a', '0.2.0', true)])[0]!.current.version).toBe('0.2.0');
  });
  it('takes only .wasm files', () => {
    expect(isWasmFile({ name: 'Plugin.WASM' })).toBe(true);
    expect(isWasmFile({ name: 'notes.txt' })).toBe(false);
  });
});

describe('invitation state', () => {
  const now = new Date('2026-01-02T00:00:00Z');
  it('reads accepted, revoked, expired and open', () => {
    expect(invitationState({ accepted_at: '2026-01-01T00:00:00Z', expires_at: '2026-01-01T00:00:00Z' }, now)).toBe('accepted');
    expect(invitationState({ revoked_at: '2026-01-01T00:00:00Z', expires_at: '2026-02-01T00:00:00Z' }, now)).toBe('revoked');
    expect(invitationState({ expires_at: '2026-01-01T23:59:59Z' }, now)).toBe('expired');
    expect(invitationState({ expires_at: '2026-01-09T00:00:00Z' }, now)).toBe('open');
  });
});

describe('admin sections', () => {
  it('offers a viewer only what reading allows', () => {
    const viewer = (action: string) => action === 'read';
    expect(offeredSections(viewer).map((s) => s.path)).toEqual(['tokens', 'grants', 'secrets', 'channels', 'hosts', 'agents', 'files', 'plugins', 'schedules']);
  });
  it('offers an owner every page', () => {
    expect(offeredSections(() => true)).toHaveLength(13);
  });
});
