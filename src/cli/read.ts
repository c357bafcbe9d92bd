// Commands that only look: clusters, nodes, show, plan, jobs, job, audit, config check.
import type { NodeRow } from '../app/types.js';
import type { PlanKind, PlanOptions } from '../plan/types.js';
import type { JobRecord } from '../jobs/types.js';
import { checkMonitoring, describeMonitoring } from '../monitoring/check.js';
import { quote, safeText } from '../util/quote.js';
import { follow } from './act.js';
import type { Context, GlobalOptions } from './context.js';
import { EXIT, usageError } from './exit.js';
import { auditTable, clustersTable, jobText, jobsTable, nodesTable, planText, short, stamp } from './format.js';
import { table, type Cell } from './style.js';

export async function clusters(ctx: Context, globals: GlobalOptions): Promise<void> {
  const app = await ctx.app(globals);
  const names = globals.cluster ? [globals.cluster] : app.clusterNames();
  if (globals.cluster && !app.clusterNames().includes(globals.cluster))
    throw unknownCluster(globals.cluster, app.clusterNames());
  const list = await Promise.all(names.map((n) => app.clusterStatus(n)));
  if (globals.json) ctx.json(list);
  else ctx.print(clustersTable(list, ctx.paint));
  const down = list.filter((c) => !c.reachable);
  for (const c of down) {
    ctx.note(`${ctx.paintErr('red', 'nodevac:')} ${safeText(c.error?.message ?? `${c.name}: unreachable`)}`);
    if (c.error?.hint) ctx.note(`  ${safeText(c.error.hint)}`);
  }
  if (down.length) ctx.exitCode = EXIT.failed;
}

function unknownCluster(name: string, known: string[]) {
  return usageError(`no cluster named ${quote(name)} in the configuration`, `configured clusters: ${known.join(', ')}`);
}

/** Case-insensitive: the name, the role, or "ping:down" / "power:off" style words. */
function matches(row: NodeRow, text: string): boolean {
  const t = text.toLowerCase();
  const words = [
    row.name,
    row.role,
    `ping:${row.ping}`,
    `power:${row.power}`,
    row.job ? `job:${row.job.kind}` : '',
    row.lock ? 'locked' : '',
  ];
  return words.some((w) => w.toLowerCase().includes(t));
}

export async function nodes(ctx: Context, globals: GlobalOptions, opts: { filter?: string }): Promise<void> {
  const app = await ctx.app(globals);
  if (globals.cluster && !app.clusterNames().includes(globals.cluster))
    throw unknownCluster(globals.cluster, app.clusterNames());
  let rows = await app.listNodes(globals.cluster, {
    waitForPing: true,
    onClusterError: (cluster, error) =>
      ctx.note(`nodevac: warning: cluster ${cluster} not listed: ${safeText(error.message)}`),
  });
  if (opts.filter) rows = rows.filter((r) => matches(r, opts.filter!));
  if (globals.json) ctx.json(rows);
  else if (rows.length === 0) ctx.note(opts.filter ? `no node matches ${quote(opts.filter)}` : 'no nodes');
  else ctx.print(nodesTable(rows, ctx.paint));
}

export async function show(ctx: Context, globals: GlobalOptions, node: string): Promise<void> {
  const app = await ctx.app(globals);
  const found = await app.resolveNode(node, globals.cluster);
  const d = await app.nodeDetail(found.cluster, found.node);
  if (globals.json) return ctx.json(d);
  const p = ctx.paint;
  const r = d.row;
  const mem = r.memoryTotal === null ? 'not reported' : `${r.memoryFree ?? '?'} MiB free of ${r.memoryTotal} MiB`;
  const lines = [
    p('bold', `${r.name}`) + `  (cluster ${d.cluster})`,
    `role:      ${r.role}`,
    `address:   ${r.address}   ping ${r.ping}, power ${r.power}`,
    `BMC:       ${r.bmc ?? 'none (no ipmi tag: nodevac cannot power it)'}`,
    `memory:    ${mem}`,
    `instances: ${r.primaryInstances} primary, ${r.secondaryInstances} secondary`,
    `tags:      ${d.tags.length ? d.tags.join(', ') : '-'}`,
  ];
  if (r.job) lines.push(`job:       ${r.job.kind} ${r.job.state} (job ${r.job.id}, ${r.job.owner})`);
  if (r.lock) lines.push(`locked:    by ${r.lock.owner} since ${stamp(r.lock.since)} (job ${r.lock.jobId})`);
  ctx.print(lines.join('\n'));
  if (d.instances.length) {
    const action = new Map(d.plan.instances.map((a) => [`${a.instance}/${a.relation}`, a]));
    const rows: Cell[][] = d.instances.map((i) => {
      const relation = i.pnode === r.name ? 'primary' : 'secondary';
      const a = action.get(`${i.name}/${relation}`);
      return [
        i.name,
        relation,
        i.disk_template,
        i.status,
        a ? `${a.action}${a.target ? ` → ${short(a.target)}` : ''}` : '-',
      ];
    });
    ctx.print(`\n${p('bold', 'Instances')} (and what an evacuation would do):`);
    ctx.print(table(['INSTANCE', 'AS', 'TEMPLATE', 'STATUS', 'ON EVACUATION'], rows, p));
  }
  if (d.plan.blockers.length) {
    ctx.print(`${p('bold', 'An evacuation is blocked:')}`);
    for (const b of d.plan.blockers) ctx.print(`  ${p('red', '✗')} ${safeText(b.message)}\n      → ${safeText(b.fix)}`);
  }
  if (d.history.length) {
    ctx.print(`\n${p('bold', 'History:')}`);
    ctx.print(auditTable(d.history, p));
  }
}

export async function plan(
  ctx: Context,
  globals: GlobalOptions,
  node: string,
  kind: PlanKind,
  options: Partial<PlanOptions>,
): Promise<void> {
  const app = await ctx.app(globals);
  const result = await app.plan({ kind, node, cluster: globals.cluster, options });
  if (globals.json) ctx.json(result);
  else ctx.print(planText(result, ctx.paint));
  if (result.blockers.length)
    ctx.exitCode = result.blockers.some((b) => b.code === 'node-locked') ? EXIT.locked : EXIT.refused;
}

export async function jobs(
  ctx: Context,
  globals: GlobalOptions,
  opts: { all?: boolean; watch?: boolean },
): Promise<void> {
  const app = await ctx.app(globals);
  const list = async () =>
    (await app.jobs({ all: opts.all })).filter((j) => !globals.cluster || j.cluster === globals.cluster);
  const render = (js: JobRecord[]) => {
    if (globals.json) return ctx.line('jobs', { jobs: js });
    if (ctx.out.isTTY && opts.watch) ctx.out.write('\x1b[H\x1b[2J');
    if (js.length === 0)
      ctx.print(opts.all ? 'no jobs recorded' : 'no jobs in the last 24 hours (--all shows older ones)');
    else ctx.print(jobsTable(js, ctx.paint));
  };
  if (!opts.watch) {
    const js = await list();
    if (globals.json) ctx.json(js);
    else render(js);
    return;
  }
  // --watch: print again whenever the list changes, until Ctrl-C (exit 0: stopping is the way out).
  await new Promise<void>((resolve, reject) => {
    let last = '';
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const pop = ctx.interrupts.push(() => {
      stopped = true;
      clearTimeout(timer);
      pop();
      resolve();
    });
    const tick = async () => {
      try {
        const js = await list();
        const key = JSON.stringify(js.map((j) => [j.id, j.state, j.progress, j.cursor, j.error]));
        if (key !== last && !stopped) render(js);
        last = key;
        if (!stopped) timer = setTimeout(() => void tick(), 2000);
      } catch (err) {
        pop();
        reject(err);
      }
    };
    void tick();
  });
}

export async function job(ctx: Context, globals: GlobalOptions, id: string, opts: { follow?: boolean }): Promise<void> {
  const app = await ctx.app(globals);
  const record = await app.job(id);
  if (!record) throw usageError(`no job ${id}`, '`nodevac jobs --all` lists the jobs');
  if (!opts.follow) {
    if (globals.json) return ctx.json({ ...record, events: await app.events(id) });
    ctx.print(jobText(record, ctx.paint));
    const events = await app.events(id);
    if (events.length) {
      ctx.print(
        ctx.paint('bold', `Last events${events.length > 15 ? ` (15 of ${events.length}; --follow shows all)` : ''}:`),
      );
      for (const e of events.slice(-15))
        ctx.print(`  ${stamp(e.time)} ${e.type}${e.state ? `:${e.state}` : ''} ${safeText(e.message)}`);
    }
    return;
  }
  const driven = app.drivenJobs().includes(id);
  ctx.exitCode = await follow(
    ctx,
    app,
    id,
    { job: id, kind: record.kind, cluster: record.cluster, node: record.node },
    { json: globals.json, driven, after: 0 },
  );
}

export async function audit(
  ctx: Context,
  globals: GlobalOptions,
  opts: { node?: string; limit?: string },
): Promise<void> {
  const limit = opts.limit === undefined ? 50 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw usageError(`--limit ${opts.limit}: expected a whole number of entries, at least 1`);
  const app = await ctx.app(globals);
  // Entries carry full node names; a short name (node3, node3.ams) matches without asking Ganeti.
  const n = opts.node;
  const all = await app.audit({ cluster: globals.cluster });
  const entries = (
    n ? all.filter((e) => e.node !== undefined && (e.node === n || e.node.startsWith(`${n}.`))) : all
  ).slice(-limit);
  if (globals.json) return ctx.json(entries);
  if (entries.length === 0) ctx.print(n ? `no audit entries for ${n}` : 'no audit entries');
  else ctx.print(auditTable(entries, ctx.paint));
}

export async function configCheck(ctx: Context, globals: GlobalOptions, opts: { connect?: boolean }): Promise<void> {
  // Loaded here rather than through the context: the warnings belong in this report, on stdout.
  const loaded = ctx.demo
    ? await ctx.config(globals)
    : (await import('../config/load.js')).loadConfig(globals.config, ctx.env);
  const cfg = loaded.config;
  const store = (await import('../app/store-config.js')).describeStore(cfg.store);
  const report: Record<string, unknown> = {
    file: loaded.file,
    source: loaded.source,
    valid: true,
    clusters: cfg.clusters.map((c) => ({
      name: c.name,
      host: c.host,
      port: c.port,
      readOnly: c.readOnly,
      tls: Object.keys(c.tls)[0],
    })),
    store,
    warnings: loaded.warnings,
  };
  const lines = [
    `configuration: ${loaded.file} (found through ${loaded.source})`,
    `valid: ${cfg.clusters.length} cluster${cfg.clusters.length === 1 ? '' : 's'}`,
    ...cfg.clusters.map(
      (c) =>
        `  ${c.name}  ${c.host}:${c.port}${c.readOnly ? '  read-only' : ''}${'insecure' in c.tls ? '  TLS NOT VERIFIED (insecure)' : ''}`,
    ),
    `store: ${store}`,
    `ipmi: ${cfg.ipmi ? `user ${cfg.ipmi.user}, ${cfg.ipmi.interface}, power off ${cfg.ipmi.powerOff}` : 'not configured (nodes cannot be powered off or on)'}`,
    `monitoring: ${describeMonitoring(cfg.monitoring)}`,
    ...loaded.warnings.map((w) => `${ctx.paint('yellow', 'warning:')} ${w}`),
  ];
  if (!opts.connect) {
    if (globals.json) return ctx.json(report);
    ctx.print([...lines, 'nothing was contacted (--connect tries each cluster and the store)'].join('\n'));
    return;
  }
  const app = await ctx.app(globals);
  const statuses = await Promise.all(app.clusterNames().map((n) => app.clusterStatus(n)));
  let storeError: string | null = null;
  let topology: import('../store/index.js').Topology | undefined;
  try {
    await app.jobs();
    if (cfg.store && !('dir' in cfg.store)) {
      // Its own short connection: the app's store answers for jobs, not for the replication around it.
      const { openStore, storeTopology } = await import('../store/index.js');
      const { storeSettings } = await import('../app/store-config.js');
      const own = await openStore(storeSettings(cfg.store, ctx.env));
      topology = await storeTopology(own).finally(() => own.close());
    }
  } catch (err) {
    const e = err as Error & { hint?: string };
    storeError = e.hint ? `${e.message} (${e.hint})` : e.message;
  }
  const monitoring = cfg.monitoring ? await checkMonitoring(cfg.monitoring, ctx.env) : [];
  report.connect = {
    clusters: statuses,
    store: storeError === null ? { reachable: true, ...topology } : { reachable: false, error: storeError },
    ...(cfg.monitoring ? { monitoring } : {}),
  };
  if (statuses.some((s) => !s.reachable) || storeError !== null || monitoring.some((m) => m.blocking))
    ctx.exitCode = EXIT.failed;
  if (globals.json) return ctx.json(report);
  for (const s of statuses) {
    if (s.reachable)
      lines.push(
        `${ctx.paint('green', '✓')} ${s.name}: Ganeti ${s.version ?? '?'}, master ${s.master ?? '?'}, ${s.nodesUp}/${s.nodesTotal} nodes up`,
      );
    else
      lines.push(
        `${ctx.paint('red', '✗')} ${s.name}: ${s.error?.message ?? 'unreachable'}`,
        ...(s.error?.hint ? [`    ${s.error.hint}`] : []),
      );
  }
  lines.push(
    storeError === null
      ? `${ctx.paint('green', '✓')} store reachable${topology ? `: primary ${topology.primary}, replicas ${topology.replicas.join(', ') || 'none'}${topology.sentinels ? ` (found through sentinels ${topology.sentinels.join(', ')})` : ''}` : ''}`
      : `${ctx.paint('red', '✗')} store: ${storeError}`,
  );
  for (const m of monitoring)
    lines.push(
      m.ok
        ? `${ctx.paint('green', '✓')} ${m.endpoint}`
        : `${ctx.paint(m.blocking ? 'red' : 'yellow', m.blocking ? '✗' : '!')} ${m.error ?? m.endpoint}`,
      ...(!m.ok && m.hint ? [`    ${m.hint}`] : []),
    );
  ctx.print(lines.join('\n'));
}
