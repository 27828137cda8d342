/** Notifications to people through the tenant's channels (capability `notify`). */
import * as raw from 'scena:plugin/notify@0.1.2';
import { atomCall } from './errors';

export interface Message {
  /** A channel configured for the tenant, e.g. `ops-chat`, `mail`. */
  channel: string;
  /** Users, groups or addresses as the channel understands them. */
  to: string[];
  subject: string;
  body: string;
}

export function send(message: Message): void {
  atomCall(() => raw.send({ channel: message.channel, to: [...message.to], subject: message.subject, body: message.body }));
}
