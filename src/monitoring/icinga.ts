// Icinga 2 REST API (doc/12-icinga2-api.md): host downtimes with their services, found again by their comment.
import { safeText } from '../util/quote.js';
import type { MonitoringError } from './errors.js';
import { answerText, HttpClient, type HttpAnswer, type HttpEndpoint } from './http.js';

/** What nodevac's ApiUser needs, and nothing more. */
export const ICINGA_PERMISSIONS = [
  'actions/schedule-downtime',
  'actions/remove-downtime',
  'objects/query/Downtime',
  'objects/query/Host',
] as const;

export interface IcingaDowntime {
  /** "host!uuid" for the host's own downtime, "host!service!uuid" for a service's. */
  name: string;
  host: string;
  /** Empty for the host's own downtime. */
  service: string;
  comment: string;
  author: string;
  /** Seconds since the epoch. */
  start: number;
  end: number;
}

export class IcingaClient {
  private readonly http: HttpClient;

  constructor(endpoint: HttpEndpoint) {
    this.http = new HttpClient(endpoint);
  }

  get url(): string {
    return this.http.endpoint.url;
  }

  /** GET /v1: the API user and its permissions (Icinga answers this to any authenticated user). */
  async whoami(): Promise<{ user: string; permissions: string[] }> {
    const a = await this.http.request('GET', 'v1');
    if (a.status !== 200) throw this.statusError(a, 'GET /v1');
    const r = (a.body as { results?: { user?: unknown; permissions?: unknown }[] } | undefined)?.results?.[0];
    if (!r || !Array.isArray(r.permissions))
      throw this.http.error('protocol', 'GET /v1 answered without the permissions', 'is this the Icinga 2 API?');
    // A permission is a string, or an object with a filter ({"permission": …, "filter": …}).
    const permissions = r.permissions.map((p: unknown) =>
      typeof p === 'string' ? p : String((p as { permission?: unknown })?.permission ?? ''),
    );
    return { user: String(r.user ?? ''), permissions };
  }

  /** The permissions nodevac needs that the user lacks (Icinga matches them as globs: "actions/*", "*"). */
  async missingPermissions(): Promise<string[]> {
    const { permissions } = await this.whoami();
    return ICINGA_PERMISSIONS.filter((need) => !permissions.some((p) => glob(p).test(need)));
  }

  async hostExists(host: string): Promise<boolean> {
    const a = await this.query('hosts', { filter: 'host.name==h', filter_vars: { h: host }, attrs: ['name'] });
    return a.length > 0;
  }

  /**
   * A fixed downtime of the host and all its services. Icinga answers 500 with no result when no host has that
   * name (recorded from 2.13), and 404 when the user may not schedule downtimes.
   */
  async scheduleHostDowntime(d: {
    host: string;
    start: Date;
    end: Date;
    author: string;
    comment: string;
  }): Promise<{ name: string; serviceDowntimes: string[] }> {
    const a = await this.http.request('POST', 'v1/actions/schedule-downtime', {
      json: {
        type: 'Host',
        filter: 'host.name==h',
        filter_vars: { h: d.host },
        all_services: true,
        fixed: true,
        start_time: Math.floor(d.start.getTime() / 1000),
        end_time: Math.ceil(d.end.getTime() / 1000),
        author: d.author,
        comment: d.comment,
      },
    });
    const results = (a.body as { results?: unknown } | undefined)?.results;
    if ((a.status === 200 || a.status === 500) && Array.isArray(results) && results.length === 0)
      throw this.http.error(
        'not-found',
        `no Icinga host ${JSON.stringify(d.host)}`,
        'check monitoring.icinga.host (the Icinga host name of a node; {node} and {short} are filled in)',
        a.status,
      );
    if (a.status === 404) throw this.permissionError('actions/schedule-downtime', a);
    if (a.status !== 200) throw this.statusError(a, 'POST /v1/actions/schedule-downtime');
    const r = (results as { code?: unknown; name?: unknown; status?: unknown; service_downtimes?: unknown }[])[0]!;
    if (r.code !== 200 || typeof r.name !== 'string')
      throw this.http.error(
        'server',
        `could not schedule a downtime for ${JSON.stringify(d.host)}: ${safeText(String(r.status ?? ''), 300)}`,
        "see Icinga's log",
      );
    const services = Array.isArray(r.service_downtimes) ? (r.service_downtimes as { name?: unknown }[]) : [];
    return { name: r.name, serviceDowntimes: services.map((s) => String(s.name)) };
  }

  /** Downtimes of a host (its own and its services'). */
  async downtimes(host: string): Promise<IcingaDowntime[]> {
    const results = await this.query('downtimes', {
      filter: 'downtime.host_name==h',
      filter_vars: { h: host },
      attrs: ['host_name', 'service_name', 'comment', 'author', 'start_time', 'end_time'],
    });
    return results.map((r) => {
      const at = (r.attrs ?? {}) as Record<string, unknown>;
      return {
        name: String(r.name),
        host: String(at.host_name ?? ''),
        service: String(at.service_name ?? ''),
        comment: String(at.comment ?? ''),
        author: String(at.author ?? ''),
        start: Number(at.start_time ?? 0),
        end: Number(at.end_time ?? 0),
      };
    });
  }

  /**
   * Removes a downtime (a host's takes its services' with it). Icinga answers 404 both for a downtime that is gone
   * and for a user without the permission: "gone" only when the downtime is really not there any more.
   */
  async removeDowntime(name: string): Promise<'removed' | 'gone'> {
    const a = await this.http.request('POST', 'v1/actions/remove-downtime', {
      json: { type: 'Downtime', downtime: name },
    });
    const results = (a.body as { results?: unknown } | undefined)?.results;
    if (a.status === 200 && Array.isArray(results) && results.length > 0) return 'removed';
    if (a.status === 404 || (a.status === 500 && Array.isArray(results) && results.length === 0)) {
      const host = name.split('!')[0]!;
      const still = (await this.downtimes(host)).some((d) => d.name === name);
      if (still) throw this.permissionError('actions/remove-downtime', a);
      return 'gone';
    }
    throw this.statusError(a, 'POST /v1/actions/remove-downtime');
  }

  /** Object queries go as POST with X-HTTP-Method-Override: GET, so filters travel in the body (the docs' advice). */
  private async query(
    type: 'hosts' | 'downtimes',
    body: Record<string, unknown>,
  ): Promise<{ name: string; attrs?: Record<string, unknown> }[]> {
    const a = await this.http.request('POST', `v1/objects/${type}`, {
      json: body,
      headers: { 'x-http-method-override': 'GET' },
    });
    const results = (a.body as { results?: unknown } | undefined)?.results;
    if (a.status === 200 && Array.isArray(results)) return results as { name: string }[];
    // Icinga 2.13 answers 404 "No objects found." to a user who may not query the type.
    if (a.status === 404)
      throw this.permissionError(type === 'hosts' ? 'objects/query/Host' : 'objects/query/Downtime', a);
    throw this.statusError(a, `GET /v1/objects/${type}`);
  }

  private permissionError(permission: string, a: HttpAnswer): MonitoringError {
    return this.http.error(
      'forbidden',
      `${a.status} ${answerText(a)} (the API user may lack the permission ${permission})`,
      `add "${permission}" to the permissions of the ApiUser named in monitoring.icinga.user (needed: ${ICINGA_PERMISSIONS.join(', ')})`,
      a.status,
    );
  }

  private statusError(a: HttpAnswer, what: string): MonitoringError {
    if (a.status === 401)
      return this.http.error(
        'auth',
        `${what}: 401 Unauthorized`,
        'check monitoring.icinga.user and its password against the ApiUser object in Icinga (conf.d/api-users.conf)',
        401,
      );
    if (a.status === 403)
      return this.http.error(
        'forbidden',
        `${what}: 403 Forbidden`,
        `give the ApiUser the permissions ${ICINGA_PERMISSIONS.join(', ')}`,
        403,
      );
    if (a.status === 400)
      return this.http.error('bad-request', `${what}: 400 ${answerText(a)}`, 'check monitoring.icinga', 400);
    return this.http.error('server', `${what}: ${a.status} ${answerText(a)}`, "see Icinga's log", a.status);
  }
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}
