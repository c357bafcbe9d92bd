// A node's monitoring downtime in words, for the node and job screens: what silences it, until when, and how it
// is removed when a job kept it.
import type { JobDowntime, JobRecord } from '../jobs/types.js';
import { short, utcMinute } from '../text/format.js';

/** Made and not yet over (a downtime without an end is taken as active). */
export function downtimeActive(d: JobDowntime | undefined, now: number = Date.now()): d is JobDowntime {
  if (!d || (!d.icingaDowntime && !d.silenceId)) return false;
  return d.endsAt === undefined || Date.parse(d.endsAt) > now;
}

/** "Icinga downtime X · Alertmanager silence Y · until 2026-11-24 21:37 UTC" */
export function downtimeText(d: JobDowntime): string {
  const parts = [
    ...(d.icingaDowntime ? [`Icinga downtime ${d.icingaDowntime}`] : []),
    ...(d.silenceId ? [`Alertmanager silence ${d.silenceId}`] : []),
    ...(d.endsAt ? [`until ${utcMinute(d.endsAt)} UTC`] : []),
  ];
  return parts.join(' · ');
}

/** The job's own lines: its downtime, and when a failed or cancelled job kept it, the command that removes it. */
export function jobDowntimeLines(job: JobRecord, now: number = Date.now()): string[] {
  const d = job.downtime;
  if (!d || (!d.icingaDowntime && !d.silenceId)) return [];
  const over = !downtimeActive(d, now);
  const lines = [`⊘ monitoring silenced: ${downtimeText(d)}${over ? ' (over)' : ''}`];
  if (!over && (job.state === 'failed' || job.state === 'cancelled'))
    lines.push(`kept by the job: nodevac unsilence ${short(job.node)} removes it once the node is checked`);
  return lines;
}
