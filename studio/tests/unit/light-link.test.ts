import { describe, expect, it } from 'vitest';
import { isFinal, lightAppLink, lightAppPath } from '../../src/light/shareLink';

describe('light app links', () => {
  it('opens /light/TENANT/FLOW on the studio origin', () => {
    expect(lightAppLink('http://127.0.0.1:8080', 'default', 'add-one')).toBe('http://127.0.0.1:8080/light/default/add-one');
  });

  it("keeps an installed app's flow one segment", () => {
    expect(lightAppPath('blue', 'ping-tools/check')).toBe('/light/blue/ping-tools%2Fcheck');
  });

  it('knows when a run is over', () => {
    expect(['succeeded', 'failed', 'cancelled'].every(isFinal)).toBe(true);
    expect(['running', 'waiting', 'paused'].some(isFinal)).toBe(false);
  });
});
