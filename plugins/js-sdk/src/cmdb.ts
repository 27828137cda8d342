/** The CMDB: hosts and their labels (capability `cmdb`). */
import * as raw from 'scena:plugin/cmdb@0.1.2';
import { atomCall } from './errors';

export interface HostInfo {
  id: string;
  hostname: string;
  ip: string;
  /** Free-form labels, e.g. `{ zone: 'eu-1', role: 'game' }`. */
  labels: Record<string, string>;
}

const host = (h: raw.HostInfo): HostInfo => ({ id: h.id, hostname: h.hostname, ip: h.ip, labels: Object.fromEntries(h.labels) });

/** Hosts matching a label selector such as `zone=eu-1,role=game` (comma means and). */
export function findHosts(selector = '', limit = 100): HostInfo[] {
  return atomCall(() => raw.findHosts(selector, limit)).map(host);
}

/** One host by id, or `undefined` (also for a host the tenant may not see). */
export function getHost(id: string): HostInfo | undefined {
  const found = atomCall(() => raw.getHost(id));
  return found === undefined ? undefined : host(found);
}
