// A simulated Icinga 2.13 API: the endpoints and filter forms nodevac uses, with the answers a real one gives
// (recorded in test/fixtures/monitoring/icinga.json; test/monitoring/sim.test.ts compares them). Icinga sources:
// lib/remote/actionshandler.cpp (no permitted object: 404 "No objects found."; no result: 500),
// lib/icinga/apiactions.cpp (ScheduleDowntime with all_services, RemoveDowntime with its children),
// lib/remote/objectqueryhandler.cpp, lib/remote/infohandler.cpp (GET /v1).
import { randomUUID } from 'node:crypto';
import { basicAuth, json, type SimReply, type SimRequest } from './types.js';

export interface SimIcingaUser {
  password: string;
  permissions: string[];
}

export interface SimDowntime {
  /** "host!uuid" or "host!service!uuid" */
  name: string;
  host: string;
  service: string;
  author: string;
  comment: string;
  start: number;
  end: number;
  fixed: boolean;
  legacyId: number;
  /** The host downtime a service downtime was made with (removed with it). */
  parent?: string;
}

const NO_OBJECTS = { error: 404, status: 'No objects found.' };
const DOWNTIME_ATTRS = ['author', 'comment', 'end_time', 'fixed', 'host_name', 'name', 'service_name', 'start_time'];

export class SimIcinga {
  readonly downtimes = new Map<string, SimDowntime>();
  private legacy = 0;

  constructor(
    /** Host name → its service names. */
    readonly hosts: Map<string, string[]>,
    private readonly users: Record<string, SimIcingaUser>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The host's own downtimes in force now (for the demo's node view). */
  activeFor(host: string): SimDowntime[] {
    const now = this.now() / 1000;
    return this.live().filter((d) => d.host === host && d.service === '' && d.start <= now && now < d.end);
  }

  handle(req: SimRequest): SimReply {
    const who = basicAuth(req.headers);
    const user = who && this.users[who.user]?.password === who.password ? this.users[who.user] : undefined;
    if (!who || !user) return json(401, { error: 401, status: 'Unauthorized. Please check your user credentials.' });
    const may = (p: string) => user.permissions.some((g) => glob(g).test(p));
    const override = req.headers['x-http-method-override'];
    const method = typeof override === 'string' ? override.toUpperCase() : req.method;
    let body: Record<string, unknown> = {};
    if (req.body.trim() !== '') {
      try {
        body = JSON.parse(req.body) as Record<string, unknown>;
      } catch {
        return json(400, {
          error: 400,
          status: 'Invalid request body: Error: lexical error: invalid char in json text.',
        });
      }
    }
    const path = req.path.replace(/\/+$/, '');
    if (method === 'GET' && path === '/v1')
      return json(200, {
        results: [
          {
            info: 'More information about API requests is available in the documentation at https://icinga.com/docs/icinga2/latest/',
            permissions: user.permissions,
            user: who.user,
            version: 'r2.13.6-1',
          },
        ],
      });
    if (method === 'GET' && path === '/v1/objects/hosts') {
      if (!may('objects/query/Host')) return json(404, NO_OBJECTS);
      const hosts = [...this.hosts.keys()].filter((h) => matches(body, 'host.name', h));
      return json(200, {
        results: hosts.map((h) => ({
          attrs: pick({ name: h }, body.attrs),
          joins: {},
          meta: {},
          name: h,
          type: 'Host',
        })),
      });
    }
    if (method === 'GET' && path === '/v1/objects/downtimes') {
      if (!may('objects/query/Downtime')) return json(404, NO_OBJECTS);
      const found = this.live().filter((d) => matches(body, 'downtime.host_name', d.host));
      return json(200, {
        results: found.map((d) => ({
          attrs: pick(
            {
              author: d.author,
              comment: d.comment,
              end_time: d.end,
              fixed: d.fixed,
              host_name: d.host,
              name: d.name.split('!').pop()!,
              service_name: d.service,
              start_time: d.start,
            },
            body.attrs ?? DOWNTIME_ATTRS,
          ),
          joins: {},
          meta: {},
          name: d.name,
          type: 'Downtime',
        })),
      });
    }
    if (method === 'POST' && path === '/v1/actions/schedule-downtime') {
      if (!may('actions/schedule-downtime')) return json(404, NO_OBJECTS);
      return this.schedule(body);
    }
    if (method === 'POST' && path === '/v1/actions/remove-downtime') {
      if (!may('actions/remove-downtime')) return json(404, NO_OBJECTS);
      return this.remove(body);
    }
    return json(404, {
      error: 404,
      status: `The requested path '${path}' could not be found or the request method is not valid for this path.`,
    });
  }

  /** Icinga removes a downtime once its end has passed. */
  private live(): SimDowntime[] {
    const now = this.now() / 1000;
    for (const [name, d] of this.downtimes) if (d.end <= now) this.downtimes.delete(name);
    return [...this.downtimes.values()];
  }

  private schedule(body: Record<string, unknown>): SimReply {
    if (body.type !== 'Host')
      return json(400, { error: 400, status: "Only type 'Host' is simulated (the downtimes nodevac schedules)." });
    const start = Number(body.start_time);
    const end = Number(body.end_time);
    if (!Number.isFinite(start) || !Number.isFinite(end))
      return json(400, { error: 400, status: "Parameters 'start_time' and 'end_time' are required." });
    const hosts = [...this.hosts.keys()].filter((h) => matches(body, 'host.name', h));
    // No host: the action has nothing to act on, and Icinga answers 500 with no results.
    if (hosts.length === 0) return json(500, { results: [] });
    const results = hosts.map((host) => {
      const make = (service: string, parent?: string): SimDowntime => {
        const d: SimDowntime = {
          name: service ? `${host}!${service}!${randomUUID()}` : `${host}!${randomUUID()}`,
          host,
          service,
          author: String(body.author ?? ''),
          comment: String(body.comment ?? ''),
          start,
          end,
          fixed: body.fixed !== false,
          legacyId: ++this.legacy,
          parent,
        };
        this.downtimes.set(d.name, d);
        return d;
      };
      const own = make('');
      const services = body.all_services === true ? (this.hosts.get(host) ?? []).map((s) => make(s, own.name)) : [];
      return {
        code: 200,
        legacy_id: own.legacyId,
        name: own.name,
        ...(body.all_services === true
          ? { service_downtimes: services.map((s) => ({ legacy_id: s.legacyId, name: s.name })) }
          : {}),
        status: `Successfully scheduled downtime '${own.name}' for object '${host}'.`,
      };
    });
    return json(200, { results });
  }

  private remove(body: Record<string, unknown>): SimReply {
    const name = typeof body.downtime === 'string' ? body.downtime : undefined;
    const targets = name !== undefined ? this.live().filter((d) => d.name === name) : [];
    if (name !== undefined && targets.length === 0) return json(404, NO_OBJECTS);
    if (targets.length === 0) return json(500, { results: [] });
    const results = targets.map((d) => {
      const children = [...this.downtimes.values()].filter((c) => c.parent === d.name);
      for (const c of children) this.downtimes.delete(c.name);
      this.downtimes.delete(d.name);
      return {
        code: 200,
        status: `Successfully removed downtime '${d.name}' and ${children.length} child downtimes.`,
      };
    });
    return json(200, { results });
  }
}

/** The one filter form nodevac sends: "<attr>==h" with h in filter_vars; no filter matches all. */
function matches(body: Record<string, unknown>, attr: string, value: string): boolean {
  if (body.filter === undefined) return true;
  const m = new RegExp(`^${attr.replace('.', '\\.')}\\s*==\\s*(\\w+)$`).exec(String(body.filter));
  const vars = (body.filter_vars ?? {}) as Record<string, unknown>;
  return m !== null && vars[m[1]!] === value;
}

function pick(attrs: Record<string, unknown>, wanted: unknown): Record<string, unknown> {
  if (!Array.isArray(wanted)) return attrs;
  return Object.fromEntries(Object.entries(attrs).filter(([k]) => wanted.includes(k)));
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}
