// The control endpoint: simulated BMCs, ping, fault injection and statistics over HTTPS, for nodevac processes
// other than the one running the simulator (demo CLI, workers, crash tests). Same certificate as the RAPI.
//
//   GET  /ping/<address>          -> {"alive": bool}                          (no authentication, like ICMP)
//   POST /ping {"addresses": [..]} -> {"alive": {"<address>": bool, ...}}
//   GET  /bmc/<host>/power        -> {"state": "on"|"off"}                    (BMC user/password, Basic)
//   POST /bmc/<host>/power {"action": "on"} | {"action": "off", "mode": "soft"|"hard"} -> {"state": ...}
//   GET  /bmc/<host>/bootflags    -> {"flags": BootFlags}                     (BMC user/password, Basic)
//   GET|POST|DELETE /faults       -> the fault settings (POST merges, DELETE clears)   (BMC credentials)
//   GET  /stats                   -> SimStats                                 (BMC credentials)
//   POST /watcher {"cluster"?: name} -> [WatcherRun, ...]: one ganeti-watcher run now       (BMC credentials)
// Errors: {"error": <PowerError kind or "bad-request"/"not-found">, "message": ..., "hint"?: ...}.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PowerError } from '../power/types.js';
import { FaultError, type FaultSettings } from './faults.js';
import { readBody, send, type Reply } from './http.js';
import { bmcBootFlags, bmcCommand, type BmcCredentials } from './power.js';
import type { SimWorld } from './world.js';

const STATUS: Record<string, number> = { auth: 401, 'unknown-host': 404, unreachable: 504 };

function reply(status: number, value: unknown): Reply {
  return { status, body: JSON.stringify(value) };
}

function credentials(req: IncomingMessage): BmcCredentials | null {
  const m = /^basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (m === null) return null;
  const text = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export class ControlService {
  constructor(
    private readonly world: SimWorld,
    private readonly bmc: BmcCredentials,
    private readonly stats: () => unknown,
  ) {}

  handle(req: IncomingMessage, res: ServerResponse): void {
    readBody(req)
      .then((raw) => this.process(req, raw))
      .then(
        (r) => send(res, r),
        (err: unknown) =>
          send(res, reply(500, { error: 'unexpected', message: err instanceof Error ? err.message : String(err) })),
      );
  }

  private process(req: IncomingMessage, raw: Buffer): Reply {
    const url = new URL(req.url ?? '/', 'https://control.invalid');
    const method = req.method ?? 'GET';
    const parts = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    let body: unknown = null;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply(400, { error: 'bad-request', message: 'the body is not JSON' });
      }
    }
    const given = credentials(req);
    const authorised = given !== null && given.user === this.bmc.user && given.password === this.bmc.password;
    try {
      if (parts[0] === 'ping' && parts.length === 2 && method === 'GET')
        return reply(200, { alive: this.world.ping(parts[1] ?? '') });
      if (parts[0] === 'ping' && parts.length === 1 && method === 'POST') {
        const addresses = (body as { addresses?: unknown } | null)?.addresses;
        if (!Array.isArray(addresses) || !addresses.every((a) => typeof a === 'string'))
          return reply(400, { error: 'bad-request', message: 'expected {"addresses": [...]}' });
        return reply(200, { alive: Object.fromEntries(addresses.map((a: string) => [a, this.world.ping(a)])) });
      }
      if (parts[0] === 'bmc' && parts.length === 3 && parts[2] === 'bootflags' && method === 'GET') {
        const creds = given ?? { user: '', password: '' };
        return reply(200, { flags: bmcBootFlags(this.world, this.bmc, creds, parts[1] ?? '') });
      }
      if (parts[0] === 'bmc' && parts.length === 3 && parts[2] === 'power') {
        const host = parts[1] ?? '';
        const creds = given ?? { user: '', password: '' };
        if (method === 'GET')
          return reply(200, { state: bmcCommand(this.world, this.bmc, creds, host, { action: 'status' }) });
        if (method === 'POST') {
          const b = (body ?? {}) as { action?: unknown; mode?: unknown };
          if (b.action === 'on')
            return reply(200, { state: bmcCommand(this.world, this.bmc, creds, host, { action: 'on' }) });
          if (b.action === 'off' && (b.mode === 'soft' || b.mode === 'hard')) {
            return reply(200, {
              state: bmcCommand(this.world, this.bmc, creds, host, { action: 'off', mode: b.mode }),
            });
          }
          return reply(400, {
            error: 'bad-request',
            message: 'expected {"action": "on"} or {"action": "off", "mode": "soft"|"hard"}',
          });
        }
      }
      if (parts[0] === 'faults' && parts.length === 1) {
        if (!authorised)
          return reply(401, { error: 'auth', message: 'the control endpoint needs the BMC user and password' });
        const faults = this.world.faults;
        if (method === 'POST') faults.set((body ?? {}) as Partial<FaultSettings>);
        else if (method === 'DELETE') faults.clear();
        else if (method !== 'GET')
          return reply(405, { error: 'bad-request', message: `${method} is not supported on /faults` });
        return reply(200, faults.get());
      }
      if (parts[0] === 'watcher' && parts.length === 1 && method === 'POST') {
        if (!authorised)
          return reply(401, { error: 'auth', message: 'the control endpoint needs the BMC user and password' });
        const cluster = (body as { cluster?: unknown } | null)?.cluster;
        if (cluster !== undefined && typeof cluster !== 'string')
          return reply(400, { error: 'bad-request', message: 'expected {"cluster": "<name>"} or no body' });
        return reply(200, this.world.watcher.tick(cluster));
      }
      if (parts[0] === 'stats' && parts.length === 1 && method === 'GET') {
        if (!authorised)
          return reply(401, { error: 'auth', message: 'the control endpoint needs the BMC user and password' });
        return reply(200, this.stats());
      }
      return reply(404, { error: 'not-found', message: `no control resource ${method} ${url.pathname}` });
    } catch (err) {
      if (err instanceof PowerError)
        return reply(STATUS[err.kind] ?? 500, { error: err.kind, message: err.message, hint: err.hint });
      if (err instanceof FaultError) return reply(400, { error: 'bad-request', message: err.message });
      throw err;
    }
  }
}
