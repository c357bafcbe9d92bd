// The downtime of a node: an Icinga host downtime (with its services) and an Alertmanager silence, made once per
// job and node, found again by the job's mark in their comments (spicerack alerting.py: Icinga first, then
// Alertmanager, removed in the same order). Keeping them when a job fails is the caller's choice: nothing here
// removes anything on its own.
import { AlertmanagerClient } from './alertmanager.js';
import { MonitoringError } from './errors.js';
import { IcingaClient } from './icinga.js';
import {
  downtimeComment,
  fill,
  jobMark,
  nodeMatchers,
  shortName,
  type CommentParts,
  type Matcher,
} from './template.js';

export interface DowntimeRequest extends CommentParts {
  start: Date;
  end: Date;
}

/** What a job keeps in its record the moment each part is known. */
export interface DowntimeRecord {
  node: string;
  /** The Icinga host downtime's name ("host!uuid"); removing it removes its services' too. */
  icingaDowntime?: string;
  /** The Alertmanager silence's id. */
  silenceId?: string;
  /** ISO 8601: when both end on their own. */
  endsAt?: string;
}

export interface ScheduleResult extends DowntimeRecord {
  /** Found from an earlier attempt of the same job rather than made now. */
  reused: { icinga: boolean; silence: boolean };
}

export interface RemoveResult {
  icinga: 'removed' | 'gone' | 'none';
  silence: 'expired' | 'gone' | 'none';
}

export interface DowntimeServiceOptions {
  alertmanager?: { client: AlertmanagerClient; matchers: Matcher[] };
  icinga?: { client: IcingaClient; host: string };
}

/** Shorter windows are refused, as spicerack does: a downtime that ends before the node is gone protects nothing. */
export const MIN_WINDOW_MS = 60_000;

export class DowntimeService {
  constructor(private readonly opts: DowntimeServiceOptions) {}

  get configured(): boolean {
    return this.opts.alertmanager !== undefined || this.opts.icinga !== undefined;
  }

  /** The Icinga host name of a node. */
  icingaHost(node: string): string | undefined {
    return this.opts.icinga ? fill(this.opts.icinga.host, node) : undefined;
  }

  matchers(node: string): Matcher[] {
    return this.opts.alertmanager ? nodeMatchers(this.opts.alertmanager.matchers, node) : [];
  }

  /** This job's downtime and silence for the node, still in force (an expired silence does not count). */
  async find(node: string, jobId: string): Promise<DowntimeRecord> {
    const mark = jobMark(jobId, node);
    const record: DowntimeRecord = { node };
    const { icinga, alertmanager } = this.opts;
    if (icinga) {
      const own = (await icinga.client.downtimes(fill(icinga.host, node))).find(
        (d) => d.service === '' && d.comment.endsWith(mark),
      );
      if (own) {
        record.icingaDowntime = own.name;
        record.endsAt = new Date(own.end * 1000).toISOString();
      }
    }
    if (alertmanager) {
      const own = (await alertmanager.client.silences()).find((s) => s.state !== 'expired' && s.comment.endsWith(mark));
      if (own) {
        record.silenceId = own.id;
        record.endsAt ??= own.endsAt;
      }
    }
    return record;
  }

  /**
   * Schedules what is missing and reuses what this job already made. `onRecord` is called after each part is
   * made, so the caller can store it before anything else happens (a crash then finds it again).
   */
  async schedule(
    req: DowntimeRequest,
    onRecord: (record: DowntimeRecord) => Promise<void> | void = () => undefined,
  ): Promise<ScheduleResult> {
    if (req.end.getTime() - req.start.getTime() < MIN_WINDOW_MS)
      throw new RangeError(
        `a downtime must last at least a minute, got ${req.start.toISOString()} to ${req.end.toISOString()}`,
      );
    const found = await this.find(req.node, req.jobId);
    const reused = { icinga: found.icingaDowntime !== undefined, silence: found.silenceId !== undefined };
    // What an earlier attempt made keeps its own end: say that one, not the one asked for now.
    const record: DowntimeRecord = { node: req.node, endsAt: found.endsAt ?? req.end.toISOString() };
    const comment = downtimeComment(req);
    const { icinga, alertmanager } = this.opts;
    if (icinga) {
      record.icingaDowntime =
        found.icingaDowntime ??
        (
          await icinga.client.scheduleHostDowntime({
            host: fill(icinga.host, req.node),
            start: req.start,
            end: req.end,
            author: req.operator,
            comment,
          })
        ).name;
      await onRecord({ ...record });
    }
    if (alertmanager) {
      record.silenceId =
        found.silenceId ??
        (await alertmanager.client.createSilence({
          matchers: nodeMatchers(alertmanager.matchers, req.node),
          startsAt: req.start,
          endsAt: req.end,
          createdBy: req.operator,
          comment,
        }));
      await onRecord({ ...record });
    }
    return { ...record, reused };
  }

  /**
   * Makes this job's downtime and silence last until `end` at least (a power-on with --no-return keeps the node
   * away longer). Icinga cannot move a downtime's end: a new one is made first, then the old one removed, so there
   * is no moment without. Alertmanager extends the silence in place. Parts missing are made, as schedule() does.
   */
  async extend(
    req: DowntimeRequest,
    onRecord: (record: DowntimeRecord) => Promise<void> | void = () => undefined,
  ): Promise<DowntimeRecord> {
    const mark = jobMark(req.jobId, req.node);
    const comment = downtimeComment(req);
    const endSeconds = Math.ceil(req.end.getTime() / 1000);
    const record: DowntimeRecord = { node: req.node, endsAt: req.end.toISOString() };
    const { icinga, alertmanager } = this.opts;
    if (icinga) {
      const host = fill(icinga.host, req.node);
      const own = (await icinga.client.downtimes(host)).filter((d) => d.service === '' && d.comment.endsWith(mark));
      const enough = own.find((d) => d.end >= endSeconds);
      if (enough) record.icingaDowntime = enough.name;
      else {
        const made = await icinga.client.scheduleHostDowntime({
          host,
          start: req.start,
          end: req.end,
          author: req.operator,
          comment,
        });
        record.icingaDowntime = made.name;
        await onRecord({ ...record });
        for (const old of own) await icinga.client.removeDowntime(old.name);
      }
      await onRecord({ ...record });
    }
    if (alertmanager) {
      const own = (await alertmanager.client.silences()).find((s) => s.state !== 'expired' && s.comment.endsWith(mark));
      record.silenceId =
        own && Date.parse(own.endsAt) >= req.end.getTime()
          ? own.id
          : await alertmanager.client.createSilence({
              id: own?.id,
              matchers: own?.matchers ?? nodeMatchers(alertmanager.matchers, req.node),
              startsAt: own ? new Date(Math.min(Date.parse(own.startsAt), req.start.getTime())) : req.start,
              endsAt: req.end,
              createdBy: req.operator,
              comment,
            });
      await onRecord({ ...record });
    }
    return record;
  }

  /**
   * Removes this job's downtime and silence: those in the record and any other carrying the job's mark (one made
   * by an attempt that crashed before recording it). Both are tried; the first failure is thrown after.
   */
  async remove(node: string, jobId: string, record: DowntimeRecord = { node }): Promise<RemoveResult> {
    const result: RemoveResult = { icinga: 'none', silence: 'none' };
    const errors: unknown[] = [];
    const { icinga, alertmanager } = this.opts;
    const mark = jobMark(jobId, node);
    if (icinga) {
      try {
        const names = new Set(record.icingaDowntime ? [record.icingaDowntime] : []);
        for (const d of await icinga.client.downtimes(fill(icinga.host, node)))
          if (d.service === '' && d.comment.endsWith(mark)) names.add(d.name);
        for (const name of names) {
          const r = await icinga.client.removeDowntime(name);
          if (result.icinga !== 'removed') result.icinga = r;
        }
      } catch (err) {
        errors.push(err);
      }
    }
    if (alertmanager) {
      try {
        const ids = new Set(record.silenceId ? [record.silenceId] : []);
        for (const s of await alertmanager.client.silences())
          if (s.state !== 'expired' && s.comment.endsWith(mark)) ids.add(s.id);
        for (const id of ids) {
          const r = await alertmanager.client.expireSilence(id);
          if (result.silence !== 'expired') result.silence = r;
        }
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
    return result;
  }

  /**
   * Whether a downtime can be made for these nodes now: every endpoint answers, accepts the credentials, grants
   * what is needed, and knows each node's Icinga host. One problem per failure; none means ready. An Alertmanager
   * cluster is ready when one instance is (the others are named as warnings).
   */
  async check(nodes: string[] = []): Promise<{ problems: MonitoringError[]; warnings: MonitoringError[] }> {
    const problems: MonitoringError[] = [];
    const warnings: MonitoringError[] = [];
    const { icinga, alertmanager } = this.opts;
    const tasks: Promise<void>[] = [];
    if (icinga)
      tasks.push(
        (async () => {
          try {
            const missing = await icinga.client.missingPermissions();
            if (missing.length > 0) {
              problems.push(
                new MonitoringError(
                  'forbidden',
                  `monitoring.icinga (${icinga.client.url})`,
                  `monitoring.icinga (${icinga.client.url}): the API user lacks ${missing.join(', ')}`,
                  `add ${missing.map((m) => `"${m}"`).join(', ')} to the permissions of the ApiUser named in monitoring.icinga.user`,
                  403,
                ),
              );
              return;
            }
            for (const node of nodes) {
              const host = fill(icinga.host, node);
              if (!(await icinga.client.hostExists(host)))
                problems.push(
                  new MonitoringError(
                    'not-found',
                    `monitoring.icinga (${icinga.client.url})`,
                    `monitoring.icinga (${icinga.client.url}): no Icinga host ${JSON.stringify(host)} for node ${node}`,
                    `check monitoring.icinga.host ("${icinga.host}"; {node} is ${node}, {short} is ${shortName(node)})`,
                  ),
                );
            }
          } catch (err) {
            problems.push(asError(err, `monitoring.icinga (${icinga.client.url})`));
          }
        })(),
      );
    if (alertmanager)
      tasks.push(
        (async () => {
          const answers = await alertmanager.client.check();
          const failed = answers.flatMap((a) => (a.error ? [a.error] : []));
          if (failed.length === answers.length) problems.push(...failed);
          else warnings.push(...failed);
        })(),
      );
    await Promise.all(tasks);
    return { problems, warnings };
  }
}

function asError(err: unknown, endpoint: string): MonitoringError {
  if (err instanceof MonitoringError) return err;
  return new MonitoringError('protocol', endpoint, `${endpoint}: ${String((err as Error)?.message ?? err)}`, '');
}

/** Added to the plan's own deadlines when no length is configured: a node a little late must not page anyone. */
export const DEFAULT_MARGIN_SECONDS = 30 * 60;

/**
 * The window of a node's downtime from `start`: the configured length (monitoring.downtimeMinutes), or the plan's
 * deadlines (evacuation, soft-off timeout, boot timeout: `planSeconds`) plus a margin.
 */
export function downtimeWindow(
  start: Date,
  opts: { downtimeMinutes?: number; planSeconds: number; marginSeconds?: number },
): { start: Date; end: Date } {
  const seconds =
    opts.downtimeMinutes !== undefined
      ? opts.downtimeMinutes * 60
      : opts.planSeconds + (opts.marginSeconds ?? DEFAULT_MARGIN_SECONDS);
  return { start, end: new Date(start.getTime() + Math.max(seconds * 1000, MIN_WINDOW_MS)) };
}

/**
 * What a failed or cancelled job says it leaves in place (spicerack keeps both on failure so a half-done host stays
 * silent until a person looks), with the command that removes them.
 */
export function keptNotice(r: DowntimeRecord, removeCommand: string): string | undefined {
  const kept = [
    r.icingaDowntime && `Icinga downtime ${r.icingaDowntime}`,
    r.silenceId && `Alertmanager silence ${r.silenceId}`,
  ].filter(Boolean);
  if (kept.length === 0) return undefined;
  const until = r.endsAt ? ` (until ${r.endsAt})` : '';
  return `kept for ${r.node}: ${kept.join(' and ')}${until}; once the node is checked, remove them with: ${removeCommand}`;
}
