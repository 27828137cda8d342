import { describe, expect, it } from 'vitest';
import { channelBody, channelPreset, portProblem, splitTarget } from '../../src/admin/channels/channelBody';

describe('channel form → body', () => {
  it('sends a webhook with its URL and format', () => {
    expect(channelBody('webhook', { url: ' https://hooks.example.com/x ', format: 'feishu', host: 'ignored' })).toEqual({
      kind: 'webhook',
      url: 'https://hooks.example.com/x',
      format: 'feishu',
    });
  });

  it('leaves an unknown format out (the server then uses json)', () => {
    expect(channelBody('webhook', { url: 'https://a.example', format: 'telex' })).toEqual({ kind: 'webhook', url: 'https://a.example' });
  });

  it('sends mail with only the optional fields given', () => {
    expect(channelBody('email', { host: 'smtp.example.com', from: 'ops@example.com', port: '', security: 'tls', username: ' ', password: '' })).toEqual({
      kind: 'email',
      host: 'smtp.example.com',
      from: 'ops@example.com',
      security: 'tls',
    });
  });

  it('sends the port as a number and the password as typed', () => {
    expect(
      channelBody('email', { host: 'mx', from: 'a@b.c', port: ' 587 ', security: 'starttls', username: 'bot', password: ' pass word ' }),
    ).toEqual({ kind: 'email', host: 'mx', from: 'a@b.c', port: 587, security: 'starttls', username: 'bot', password: ' pass word ' });
  });

  it('checks the port', () => {
    expect(portProblem('')).toBe(false);
    expect(portProblem(undefined)).toBe(false);
    expect(portProblem('465')).toBe(false);
    expect(portProblem('0')).toBe(true);
    expect(portProblem('65536')).toBe(true);
    expect(portProblem('25a')).toBe(true);
  });
});

describe('a listed channel → the replacement form', () => {
  it('splits an SMTP target into host and port', () => {
    expect(splitTarget('smtp.example.com:587')).toEqual({ host: 'smtp.example.com', port: '587' });
    expect(splitTarget('[::1]:25')).toEqual({ host: '::1', port: '25' });
    expect(splitTarget('mx')).toEqual({ host: 'mx', port: '' });
  });

  it('starts from what the list shows, never a URL', () => {
    expect(channelPreset({ name: 'ops', kind: 'webhook', format: 'slack', target: 'hooks.slack.com', from: null })).toEqual({
      name: 'ops',
      kind: 'webhook',
      format: 'slack',
    });
    expect(channelPreset({ name: 'mail', kind: 'email', format: null, target: 'smtp.example.com:465', from: 'ops@example.com' })).toEqual({
      name: 'mail',
      kind: 'email',
      host: 'smtp.example.com',
      port: '465',
      from: 'ops@example.com',
    });
  });
});
