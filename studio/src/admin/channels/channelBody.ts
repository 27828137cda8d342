// What the channel form sends (`PUT …/channels/{name}`): the fields of the
// chosen kind, optional ones left out when blank so the server's defaults
// apply (json format, TLS and its port).

export const WEBHOOK_FORMATS = ['json', 'slack', 'feishu', 'wecom', 'dingtalk'] as const;
export const SECURITIES = ['tls', 'starttls', 'none'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];
export type Security = (typeof SECURITIES)[number];
export type ChannelKind = 'webhook' | 'email';

export type ChannelBody =
  | { kind: 'webhook'; url: string; format?: WebhookFormat }
  | {
      kind: 'email';
      host: string;
      from: string;
      port?: number;
      security?: Security;
      username?: string;
      password?: string;
    };

/** The form's fields as text (read from the form when it is sent). */
export type ChannelFields = Partial<Record<'url' | 'format' | 'host' | 'port' | 'security' | 'username' | 'password' | 'from', string>>;

function oneOf<T extends string>(options: readonly T[], value: string | undefined): T | undefined {
  return options.find((option) => option === value);
}

/**
 * The body for a channel of `kind`. A port that is not a whole number is
 * left out (the form checks it first with `portProblem`); the password is
 * sent as typed, spaces and all.
 */
export function channelBody(kind: ChannelKind, fields: ChannelFields): ChannelBody {
  if (kind === 'webhook') {
    const format = oneOf(WEBHOOK_FORMATS, fields.format);
    return { kind, url: (fields.url ?? '').trim(), ...(format ? { format } : {}) };
  }
  const port = (fields.port ?? '').trim();
  const security = oneOf(SECURITIES, fields.security);
  const username = (fields.username ?? '').trim();
  const password = fields.password ?? '';
  return {
    kind,
    host: (fields.host ?? '').trim(),
    from: (fields.from ?? '').trim(),
    ...(/^\d+$/.test(port) ? { port: Number(port) } : {}),
    ...(security ? { security } : {}),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

/** Whether `port` (as typed) is blank or a TCP port. */
export function portProblem(port: string | undefined): boolean {
  const text = (port ?? '').trim();
  if (text === '') return false;
  if (!/^\d+$/.test(text)) return true;
  const n = Number(text);
  return n < 1 || n > 65535;
}

/** A listed email channel's `target` (`host:port`) split back, to prefill a replacement. */
export function splitTarget(target: string): { host: string; port: string } {
  const match = /^(.*):(\d+)$/.exec(target);
  return match ? { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port: match[2]! } : { host: target, port: '' };
}

/** What is known of a listed channel, to start its replacement from (never its URL or password). */
export interface ChannelPreset {
  name: string;
  kind: ChannelKind;
  format?: string;
  host?: string;
  port?: string;
  from?: string;
}

/** A channel as the list shows it. */
export interface ListedChannel {
  name: string;
  kind: ChannelKind;
  format: string | null;
  target: string;
  from: string | null;
}

/** The replacement form's starting point for a listed channel: its name, kind and what the list shows. */
export function channelPreset(channel: ListedChannel): ChannelPreset {
  if (channel.kind === 'webhook') return { name: channel.name, kind: 'webhook', format: channel.format ?? undefined };
  const { host, port } = splitTarget(channel.target);
  return { name: channel.name, kind: 'email', host, port, from: channel.from ?? undefined };
}
