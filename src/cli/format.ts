// Text for people: plans, nodes, jobs, events. JSON output never goes through here. Free text that comes from
// Ganeti, a BMC or a user (messages, errors, tags) is made safe for the terminal before it is painted.
import type { ClusterStatus, NodeRow } from '../app/types.js';
import type { InstanceAction, Plan, PlanOptions } from '../plan/types.js';
import type { AuditEntry, JobEvent, JobRecord } from '../jobs/types.js';
import { clock, operatorAt as who, short, utcSecond as stamp } from '../text/format.js';
import { safeText } from '../util/quote.js';
import { blockerLines } from './report.js';
import { table, type Cell, type Color, type Paint } from './style.js';

// The CLI's forms of the shared text (src/text/format.ts), under the names its commands use.
export { short, stamp, who };

const ROLE_COLOR: Record<string, Color | null> = {
  master: 'cyan',
  'master-candidate': null,
  regular: null,
  drained: 'yellow',
  offline: 'red',
};
const STATE_COLOR: Record<string, Color | null> = {
  succeeded: 'green',
  failed: 'red',
  cancelled: 'yellow',
  running: 'cyan',
  pending: null,
};

export function clustersTable(list: ClusterStatus[], paint: Paint): string {
  const rows: Cell[][] = list.map((c) => [
    c.name,
    `${c.host}`,
    c.reachable ? ['reachable', 'green'] : ['unreachable', 'red'],
    c.version ?? '-',
    c.master ? short(c.master) : '-',
    c.nodesTotal === undefined ? '-' : `${c.nodesUp}/${c.nodesTotal}`,
    String(c.runningJobs),
    [c.readOnly ? 'read-only' : '', c.insecure ? 'insecure-tls' : ''].filter(Boolean).join(',') || '-',
  ]);
  return table(['CLUSTER', 'HOST', 'STATUS', 'VERSION', 'MASTER', 'NODES UP', 'JOBS', 'FLAGS'], rows, paint);
}

export function nodesTable(rows: NodeRow[], paint: Paint): string {
  const cells: Cell[][] = rows.map((r) => [
    r.cluster,
    r.name,
    [r.role, ROLE_COLOR[r.role] ?? null],
    String(r.primaryInstances),
    String(r.secondaryInstances),
    [r.ping, r.ping === 'up' ? 'green' : r.ping === 'down' ? 'red' : 'dim'],
    [r.power, r.power === 'off' ? 'red' : r.power === 'unknown' ? 'dim' : null],
    r.job
      ? `${r.job.kind} ${r.job.state} (${r.job.id}, ${r.job.owner})`
      : r.lock
        ? `locked by ${r.lock.owner} (job ${r.lock.jobId})`
        : '',
  ]);
  return table(['CLUSTER', 'NODE', 'ROLE', 'PRI', 'SEC', 'PING', 'POWER', 'JOB'], cells, paint);
}

function optionWords(kind: Plan['kind'], o: PlanOptions): string[] {
  const words: string[] = [];
  if (kind === 'evacuate' || kind === 'reboot') {
    if (o.powerOff && kind === 'evacuate') words.push('power off when empty');
    if (o.full) words.push('move DRBD secondaries too (--full)');
    if (o.shutdownNonMirrored) words.push('shut down non-mirrored instances');
    if (o.allowFailover) words.push('failover allowed (downtime)');
    if (o.targetNode) words.push(`target ${o.targetNode}`);
  }
  if (o.iallocator) words.push(`iallocator ${o.iallocator}`);
  if (o.migrateBack && (kind === 'poweron' || kind === 'return' || kind === 'reboot'))
    words.push('migrate instances back');
  if (kind === 'reboot' && o.allowBootOverride) words.push('boot override allowed (--allow-boot-override)');
  if (kind === 'poweron' && !o.returnToService) words.push('stays offline (--no-return)');
  if (o.deadline) words.push(`deadline ${stamp(o.deadline)}`);
  return words;
}

function actionText(a: InstanceAction): string {
  const to = a.target ? ` → ${a.target}` : '';
  return `${a.action}${to}`;
}

export function planText(plan: Plan, paint: Paint): string {
  const out: string[] = [];
  const verb = {
    evacuate: 'Evacuate',
    poweroff: 'Power off',
    poweron: plan.options.returnToService ? 'Power on and return' : 'Power on',
    return: 'Return to service',
    reboot: 'Reboot',
    migrate: 'Migrate an instance of',
    failover: 'Fail over an instance of',
    roll: 'Roll',
  }[plan.kind];
  out.push(
    paint('bold', `${verb} ${plan.node}`) +
      `  (cluster ${plan.cluster}, role ${plan.nodeRole}, BMC ${plan.bmc === null ? 'none' : safeText(plan.bmc, 300)})`,
  );
  const opts = optionWords(plan.kind, plan.options);
  if (opts.length) out.push(`options: ${opts.join('; ')}`);
  if (plan.instances.length) {
    out.push('', paint('bold', `Instances (${plan.instances.length}):`));
    const rows: Cell[][] = plan.instances.map((a) => [
      a.instance,
      a.relation,
      a.template,
      [
        actionText(a),
        a.action === 'blocked' ? 'red' : a.action === 'failover' || a.action === 'shutdown' ? 'yellow' : null,
      ],
      safeText(a.why, 500),
    ]);
    out.push(indent(table(['INSTANCE', 'AS', 'TEMPLATE', 'ACTION', 'WHY'], rows, paint)).trimEnd());
  }
  if (plan.steps.length) {
    out.push('', paint('bold', 'Steps:'));
    plan.steps.forEach((s, i) => out.push(`  ${String(i + 1).padStart(2)}. ${safeText(s.title)}`));
  }
  return planEnd(out, plan, paint);
}

/** A plan's text ends the same for every kind: its warnings and blockers after `out`, joined. */
export function planEnd(out: string[], plan: Plan, paint: Paint): string {
  if (plan.warnings.length) {
    out.push('', paint('bold', 'Warnings:'));
    for (const w of plan.warnings) out.push(`  ${paint('yellow', '!')} ${safeText(w.message)}`);
  }
  if (plan.blockers.length) {
    out.push('', paint('bold', `Blockers (${plan.blockers.length}) — nothing will be done until they are resolved:`));
    for (const l of blockerLines(plan.blockers, paint)) out.push(`  ${l}`);
  }
  return out.join('\n') + '\n';
}

function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
}

export function jobsTable(jobs: JobRecord[], paint: Paint): string {
  const rows: Cell[][] = jobs.map((j) => [
    j.id,
    j.kind,
    j.cluster,
    short(j.node),
    [j.state, STATE_COLOR[j.state] ?? null],
    `${Math.round(j.progress * 100)}%`,
    who(j.owner),
    stamp(j.createdAt),
    j.error ? safeText(j.result === 'deadline' ? `deadline: ${j.error}` : j.error, 300) : '',
  ]);
  return table(['JOB', 'KIND', 'CLUSTER', 'NODE', 'STATE', 'DONE', 'OWNER', 'STARTED', 'ERROR'], rows, paint);
}

/** Steps as the record knows them: before the cursor done, at the cursor the job's state. */
export function jobText(job: JobRecord, paint: Paint): string {
  const out: string[] = [];
  out.push(paint('bold', `Job ${job.id}: ${job.kind} of ${job.node}`) + ` (cluster ${job.cluster})`);
  out.push(
    `state:    ${paint(STATE_COLOR[job.state] ?? 'bold', job.state)}${job.result && job.result !== job.state ? ` (${job.result})` : ''}, ${Math.round(job.progress * 100)}% done`,
  );
  out.push(`owner:    ${who(job.owner)}, started ${stamp(job.createdAt)}, updated ${stamp(job.updatedAt)}`);
  if (job.driver)
    out.push(
      `driver:   ${who(job.driver.operator)} pid ${job.driver.pid} on ${job.driver.host} since ${stamp(job.driver.since)}`,
    );
  if (job.cancelRequested) out.push(`cancel:   requested`);
  if (job.error) out.push(`error:    ${paint('red', safeText(job.error))}`);
  out.push('', paint('bold', 'Steps:'));
  job.plan.steps.forEach((s, i) => {
    const mark =
      i < job.cursor
        ? paint('green', '✓')
        : i === job.cursor
          ? job.state === 'running'
            ? paint('cyan', '▸')
            : job.state === 'succeeded'
              ? paint('green', '✓')
              : job.state === 'pending'
                ? ' '
                : paint('red', '✗')
          : ' ';
    out.push(`  ${mark} ${String(i + 1).padStart(2)}. ${safeText(s.title)}`);
  });
  if (job.instances.length) {
    out.push('', paint('bold', 'Instances:'));
    const rows: Cell[][] = job.instances.map((p) => [
      p.instance,
      p.action,
      [p.state, p.state === 'done' ? 'green' : p.state === 'failed' ? 'red' : p.state === 'running' ? 'cyan' : null],
      p.node ?? '',
      safeText(p.message ?? '', 500),
    ]);
    out.push(indent(table(['INSTANCE', 'ACTION', 'STATE', 'NOW ON', 'NOTE'], rows, paint)).trimEnd());
  }
  return out.join('\n') + '\n';
}

export function auditTable(entries: AuditEntry[], paint: Paint): string {
  const rows: Cell[][] = entries.map((e) => [
    stamp(e.time),
    who(e.operator),
    e.action,
    e.cluster,
    e.node ? short(e.node) : '-',
    e.jobId ?? '-',
    [e.result, e.result === 'succeeded' ? 'green' : e.result === 'failed' || e.result === 'refused' ? 'red' : null],
    safeText(e.detail ?? '', 500),
  ]);
  return table(['TIME', 'OPERATOR', 'ACTION', 'CLUSTER', 'NODE', 'JOB', 'RESULT', 'DETAIL'], rows, paint);
}

const EVENT_MARK: Record<string, [string, Color | null]> = {
  running: ['▸', 'cyan'],
  done: ['✓', 'green'],
  succeeded: ['✓', 'green'],
  skipped: ['·', 'dim'],
  failed: ['✗', 'red'],
  cancelled: ['✗', 'yellow'],
};

/** A terminal line: a mark by state, log lines indented and dimmed. */
export function eventLine(e: JobEvent, paint: Paint): string {
  const time = paint('dim', clock(e.time));
  const message = safeText(e.message);
  if (e.type === 'log') return `${time}     ${paint('dim', message)}`;
  if (e.type === 'warning') return `${time} ${paint('yellow', '!')} ${message}`;
  if (e.type === 'error') return `${time} ${paint('red', '✗')} ${paint('red', message)}`;
  const [mark, color] = EVENT_MARK[e.state ?? ''] ?? ['•', null];
  const painted = color ? paint(color, mark) : mark;
  return e.type === 'instance' ? `${time}   ${painted} ${message}` : `${time} ${painted} ${message}`;
}

/** A line for logs and pipes: full timestamp, the event's type, its message (one line, whatever it holds). */
export function eventLogLine(e: JobEvent): string {
  return `${e.time} ${e.jobId} ${e.type}${e.state ? `:${e.state}` : ''} ${safeText(e.message)}`;
}
