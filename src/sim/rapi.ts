// The RAPI of one simulated cluster, request by request as Ganeti 3.0.2 answers it: authentication
// (--require-authentication), routing, 404/501/401/403/415/400 in the lab's order, opcode submission with the
// reason trail, and the read resources. Observed on the lab where the code reading was not enough: without an
// Authorization header every path answers 401; with one, unknown paths (404) and methods (501) come before the
// password check.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorReply, HttpError, jsonReply, readBody, send, type Reply } from './http.js';
import { nsNow, type JobQueue } from './jobs.js';
import { pyJson, pyTypeName } from './json.js';
import { BadRequest, fillOpcode, OPS, type OpDef } from './ops.js';
import * as reads from './rapi-reads.js';
import {
  intArg,
  isDict,
  parseQuery,
  replaceDisksInput,
  strArg,
  type Method,
  type RapiRequest,
  type RapiUser,
  type SimClusterStats,
} from './rapi-request.js';
import { waitForChange } from './rapi-wait.js';
import { clusterInfo } from './render.js';
import type { SimCluster, SimWorld } from './world.js';

export type { RapiUser, SimClusterStats, SimInjectedFault, SimSubmission } from './rapi-request.js';

interface MethodSpec {
  fn: (r: RapiRequest) => Reply | Promise<Reply>;
  /** Needs the write option (PUT/POST/DELETE always do, and so does /2/jobs/J/wait). */
  write?: boolean;
  /** Needs the read or the write option (/2/query); the simulated read-only user has neither, like the lab's. */
  readOrWrite?: boolean;
}

interface Route {
  re: RegExp;
  methods: Partial<Record<Method, MethodSpec>>;
}

const NAME = '([\\w._-]+)';
const FEATURES = ['node-migrate-reqv1', 'instance-reinstall-reqv1', 'node-evac-res1', 'instance-create-reqv1'];

export class RapiService {
  readonly stats: SimClusterStats = {
    requests: 0,
    submissions: [],
    injected: [],
    openConnections: 0,
    maxConcurrentConnections: 0,
  };
  private readonly routes: Route[];
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly world: SimWorld,
    private readonly cluster: SimCluster,
    private readonly queue: JobQueue,
    private readonly users: Map<string, RapiUser>,
  ) {
    const n = (suffix: string) => new RegExp(`^/2/nodes/${NAME}${suffix}$`);
    const i = (suffix: string) => new RegExp(`^/2/instances/${NAME}${suffix}$`);
    this.routes = [
      { re: /^\/$/, methods: { GET: { fn: () => jsonReply('null') } } },
      { re: /^\/2$/, methods: { GET: { fn: () => jsonReply('null') } } },
      { re: /^\/version$/, methods: { GET: { fn: () => jsonReply('2') } } },
      { re: /^\/2\/info$/, methods: { GET: { fn: () => jsonReply(pyJson(clusterInfo(this.cluster))) } } },
      { re: /^\/2\/features$/, methods: { GET: { fn: () => jsonReply(pyJson(FEATURES)) } } },
      { re: /^\/2\/nodes$/, methods: { GET: { fn: (r) => reads.nodes(this.cluster, r) } } },
      { re: n(''), methods: { GET: { fn: (r) => reads.node(this.cluster, r) } } },
      {
        re: n('/role'),
        methods: { GET: { fn: (r) => reads.getRole(this.cluster, r) }, PUT: { fn: (r) => this.putRole(r) } },
      },
      {
        re: n('/modify'),
        methods: {
          POST: {
            fn: (r) => this.submit(r, 'nodes_name_modify', OPS.OP_NODE_SET_PARAMS, r.body, { node_name: r.items[0] }),
          },
        },
      },
      {
        re: n('/evacuate'),
        methods: {
          POST: {
            fn: (r) =>
              this.submit(r, 'nodes_name_evacuate', OPS.OP_NODE_EVACUATE, r.body, {
                node_name: r.items[0],
                dry_run: intArg(r, 'dry-run') !== 0,
              }),
          },
        },
      },
      { re: n('/migrate'), methods: { POST: { fn: (r) => this.nodeMigrate(r) } } },
      {
        re: n('/tags'),
        methods: {
          GET: { fn: (r) => reads.getTags(this.cluster, r) },
          PUT: { fn: (r) => this.tags(r, OPS.OP_TAGS_SET) },
          DELETE: { fn: (r) => this.tags(r, OPS.OP_TAGS_DEL) },
        },
      },
      { re: /^\/2\/groups$/, methods: { GET: { fn: (r) => reads.groups(this.cluster, r) } } },
      { re: new RegExp(`^/2/groups/${NAME}$`), methods: { GET: { fn: (r) => reads.group(this.cluster, r) } } },
      { re: /^\/2\/instances$/, methods: { GET: { fn: (r) => reads.instances(this.cluster, r) } } },
      { re: i(''), methods: { GET: { fn: (r) => reads.instance(this.cluster, r) } } },
      {
        re: i('/migrate'),
        methods: {
          PUT: {
            fn: (r) =>
              this.submit(r, 'instances_name_migrate', OPS.OP_INSTANCE_MIGRATE, r.body, { instance_name: r.items[0] }),
          },
        },
      },
      {
        re: i('/failover'),
        methods: {
          PUT: {
            fn: (r) =>
              this.submit(r, 'instances_name_failover', OPS.OP_INSTANCE_FAILOVER, r.body, {
                instance_name: r.items[0],
              }),
          },
        },
      },
      {
        re: i('/shutdown'),
        methods: {
          PUT: {
            fn: (r) =>
              this.submit(r, 'instances_name_shutdown', OPS.OP_INSTANCE_SHUTDOWN, r.body, {
                instance_name: r.items[0],
                no_remember: intArg(r, 'no_remember') !== 0,
                dry_run: intArg(r, 'dry-run') !== 0,
              }),
          },
        },
      },
      {
        re: i('/startup'),
        methods: {
          PUT: {
            // rlib2 ignores the startup body: only the query arguments count.
            fn: (r) =>
              this.submit(
                r,
                'instances_name_startup',
                OPS.OP_INSTANCE_STARTUP,
                {},
                {
                  instance_name: r.items[0],
                  force: intArg(r, 'force') !== 0,
                  dry_run: intArg(r, 'dry-run') !== 0,
                  no_remember: intArg(r, 'no_remember') !== 0,
                },
              ),
          },
        },
      },
      {
        re: i('/activate-disks'),
        methods: {
          PUT: {
            // rlib2 R_2_instances_name_activate_disks: the body is ignored, so wait_for_sync cannot be asked for.
            fn: (r) =>
              this.submit(
                r,
                'instances_name_activate_disks',
                OPS.OP_INSTANCE_ACTIVATE_DISKS,
                {},
                { instance_name: r.items[0], ignore_size: intArg(r, 'ignore_size') !== 0 },
              ),
          },
        },
      },
      {
        re: i('/replace-disks'),
        methods: {
          POST: {
            fn: (r) =>
              this.submit(r, 'instances_name_replace_disks', OPS.OP_INSTANCE_REPLACE_DISKS, replaceDisksInput(r), {
                instance_name: r.items[0],
              }),
          },
        },
      },
      {
        re: i('/info'),
        methods: {
          // rlib2 R_2_instances_name_info: a job (OpInstanceQueryData), open to every user (GET_ACCESS = []).
          GET: {
            fn: (r) =>
              this.submit(
                r,
                'instances_name_info',
                OPS.OP_INSTANCE_QUERY_DATA,
                {},
                { instances: [r.items[0]], static: intArg(r, 'static') !== 0 },
              ),
          },
        },
      },
      { re: /^\/2\/jobs$/, methods: { GET: { fn: (r) => reads.jobs(this.queue, r) } } },
      {
        re: /^\/2\/jobs\/(\d+)$/,
        methods: {
          GET: { fn: (r) => reads.job(this.queue, r) },
          DELETE: { fn: (r) => jsonReply(pyJson(this.queue.cancel(Number(r.items[0])))) },
        },
      },
      {
        re: /^\/2\/jobs\/(\d+)\/wait$/,
        methods: { GET: { fn: (r) => waitForChange(this.world, this.queue, this.waiters, r), write: true } },
      },
      {
        re: new RegExp(`^/2/query/${NAME}$`),
        methods: { GET: { fn: (r) => reads.query(this.cluster, r), readOrWrite: true } },
      },
    ];
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.stats.requests++;
    const faults = this.world.faults;
    const decision = faults.decide(this.cluster.name, (req.method ?? 'GET').toUpperCase());
    if (decision !== 'ok')
      this.stats.injected.push({
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0] ?? '',
        fault: decision,
      });
    if (decision === 'drop' || !this.cluster.master.daemonRunning) {
      // A dropped connection, or no RAPI at all while the master node is down (the cluster IP is gone).
      req.socket.destroy();
      return;
    }
    readBody(req)
      .then(async (raw) => {
        const latency = faults.appliesTo(this.cluster.name) ? faults.current.latencyMs : 0;
        if (latency > 0) await new Promise<void>((resolve) => this.world.timers.set(resolve, latency));
        if (decision === 502)
          return errorReply(new HttpError(502, "Can't connect to master daemon: /var/run/ganeti/socket/ganeti-query"));
        if (decision === 504) return errorReply(new HttpError(504));
        return this.process(req, raw);
      })
      .then(
        (reply) => (decision === 'lose' ? req.socket.destroy() : send(res, reply)),
        (err: unknown) =>
          send(
            res,
            errorReply(
              err instanceof HttpError ? err : new HttpError(500, err instanceof Error ? err.message : String(err)),
            ),
          ),
      );
  }

  /** Ends pending long-polls (close()). */
  close(): void {
    for (const w of [...this.waiters]) w();
  }

  private async process(req: IncomingMessage, raw: Buffer): Promise<Reply> {
    try {
      const url = new URL(req.url ?? '/', 'https://rapi.invalid');
      const method = (req.method ?? 'GET').toUpperCase();
      const header = req.headers.authorization;
      if (header === undefined) throw this.unauthorized();
      const route = this.routes.find((r) => r.re.test(url.pathname));
      if (route === undefined) throw new HttpError(404);
      const spec = route.methods[method as Method];
      if (spec === undefined) throw new HttpError(501, `Method ${method} is unsupported for path ${url.pathname}`);
      const user = this.authenticate(header);
      // The read-only user has no options (as on the lab), so anything beyond plain GETs needs "write".
      const permitted = method !== 'GET' || spec.write === true || spec.readOrWrite === true ? user.write : true;
      if (!permitted) throw new HttpError(403);
      let body: unknown;
      if (raw.length > 0) {
        const type = req.headers['content-type'] ?? 'application/octet-stream';
        if (type.toLowerCase() !== 'application/json') throw new HttpError(415);
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HttpError(400, 'Unable to parse JSON data');
        }
      }
      const items = route.re.exec(url.pathname)?.slice(1) ?? [];
      return await spec.fn({
        method: method as Method,
        path: url.pathname,
        query: parseQuery(url.search),
        body,
        user: user.name,
        items: items.map(decodeURIComponent),
      });
    } catch (err) {
      if (err instanceof HttpError) return errorReply(err);
      if (err instanceof BadRequest) return errorReply(new HttpError(400, err.message));
      throw err;
    }
  }

  private unauthorized(): HttpError {
    return new HttpError(401, undefined, { 'WWW-Authenticate': 'Basic realm="Ganeti Remote API"' });
  }

  private authenticate(header: string): { name: string; write: boolean } {
    const m = /^basic\s+(\S+)\s*$/i.exec(header);
    if (m === null) throw this.unauthorized();
    const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw this.unauthorized();
    const name = decoded.slice(0, colon);
    const user = this.users.get(name);
    if (user === undefined || user.password !== decoded.slice(colon + 1)) throw this.unauthorized();
    return { name, write: user.write };
  }

  // ---- submissions

  private commonStatic(r: RapiRequest, resource: string): Record<string, unknown> {
    const ns = nsNow();
    const trail: unknown[] = [];
    const reason = strArg(r, 'reason');
    if (reason !== undefined) trail.push(['gnt:user', reason, ns]);
    trail.push([`gnt:library:rlib2:${resource}`, '', ns]);
    return { reason: trail };
  }

  private submit(r: RapiRequest, resource: string, def: OpDef, body: unknown, statics: Record<string, unknown>): Reply {
    let opBody = body;
    // baserlib._GetDepends: "depends" from the request body survives handlers that build their own body.
    if (isDict(opBody) && isDict(r.body) && Array.isArray(r.body.depends) && r.body.depends.length > 0)
      opBody = { ...opBody, depends: r.body.depends };
    const op = fillOpcode(def, opBody, { ...this.commonStatic(r, resource), ...statics });
    const faults = this.world.faults;
    if (faults.appliesTo(this.cluster.name) && faults.current.queueDrained)
      throw new HttpError(503, 'Job queue is drained, cannot submit');
    const job = this.queue.submit(op);
    this.stats.submissions.push({
      method: r.method,
      path: r.path,
      opcode: def.id,
      body: r.body ?? null,
      reason: strArg(r, 'reason') ?? null,
      user: r.user,
      time: Date.now(),
      jobId: job.id,
    });
    return jsonReply(pyJson(job.id));
  }

  private putRole(r: RapiRequest): Reply {
    if (typeof r.body !== 'string')
      throw new HttpError(400, `Body contents: Type is '${pyTypeName(r.body)}', but 'str' is expected`);
    const flags: Record<string, Record<string, boolean | null>> = {
      regular: { master_candidate: false, offline: false, drained: false },
      'master-candidate': { master_candidate: true, offline: null, drained: null },
      drained: { master_candidate: null, offline: null, drained: true },
      offline: { master_candidate: null, offline: true, drained: null },
    };
    const f = flags[r.body];
    if (f === undefined) throw new HttpError(400, `Can't set '${r.body}' role`);
    return this.submit(
      r,
      'nodes_name_role',
      OPS.OP_NODE_SET_PARAMS,
      {},
      {
        node_name: r.items[0],
        ...f,
        force: intArg(r, 'force') !== 0,
        auto_promote: intArg(r, 'auto-promote') !== 0,
      },
    );
  }

  private nodeMigrate(r: RapiRequest): Reply {
    // rlib2: any query argument (even ?reason=) selects the pre-2.5 request format: the body is ignored and
    // the mode comes from the query string.
    let data: unknown = r.body;
    if (r.query.size > 0) {
      if (r.query.has('live') && r.query.has('mode'))
        throw new HttpError(400, "Only one of 'live' and 'mode' should be passed");
      const mode = r.query.has('live')
        ? intArg(r, 'live', 1) !== 0
          ? 'live'
          : 'non-live'
        : (strArg(r, 'mode') ?? null);
      data = { mode };
    }
    return this.submit(r, 'nodes_name_migrate', OPS.OP_NODE_MIGRATE, data, { node_name: r.items[0] });
  }

  private tags(r: RapiRequest, def: OpDef): Reply {
    return this.submit(
      r,
      'nodes_name_tags',
      def,
      {},
      {
        kind: 'node',
        name: r.items[0],
        tags: r.query.get('tag') ?? [],
        dry_run: intArg(r, 'dry-run') !== 0,
      },
    );
  }

  // ---- reads
}
