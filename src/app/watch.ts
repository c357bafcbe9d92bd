// Following jobs: their list, records and events from the store (so any driver's jobs), and a watcher that streams
// a job's events until it ends. A job driven by this process wakes its watchers at once; others' jobs are polled.
import { isFinal } from '../jobs/rules.js';
import type { JobEvent, JobRecord } from '../jobs/types.js';
import type { Store } from '../store/types.js';
import type { JobWatch } from './types.js';

/** Finished jobs the default job list still shows. */
const RECENT_MS = 24 * 3600_000;
/** Polling of a job's events: quick once it is final (its closing event is due), calmer while it runs. */
const POLL_FINAL_MS = 50;
const POLL_MS = 250;

/** Newest first; without `all`, jobs still going and those that ended within a day. */
export function listedJobs(jobs: JobRecord[], all: boolean, now = Date.now()): JobRecord[] {
  const sorted = [...jobs].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return all ? sorted : sorted.filter((j) => !isFinal(j) || now - Date.parse(j.updatedAt) < RECENT_MS);
}

/** Watchers of each job, woken by this process's runners as soon as they record an event. */
export class Nudges {
  private readonly byJob = new Map<string, Set<() => void>>();

  add(jobId: string, nudge: () => void): () => void {
    const set = this.byJob.get(jobId) ?? new Set();
    this.byJob.set(jobId, set.add(nudge));
    return () => {
      set.delete(nudge);
      if (set.size === 0) this.byJob.delete(jobId);
    };
  }

  nudge(jobId: string): void {
    for (const nudge of this.byJob.get(jobId) ?? []) nudge();
  }
}

export class Watch {
  constructor(
    private readonly store: Store,
    private readonly nudges: Nudges,
  ) {}

  async jobs(opts: { all?: boolean } = {}): Promise<JobRecord[]> {
    return listedJobs(await this.store.listJobs(), opts.all === true);
  }

  job(id: string): Promise<JobRecord | undefined> {
    return this.store.getJob(id);
  }

  events(id: string, after?: number): Promise<JobEvent[]> {
    return this.store.events(id, after);
  }

  watch(id: string, onEvent: (event: JobEvent, job: JobRecord) => void, opts: { after?: number } = {}): JobWatch {
    let stopped = false;
    let after = opts.after ?? 0;
    let wake: (() => void) | undefined;
    let nudged = false;
    let quietFinal = 0;
    const remove = this.nudges.add(id, () => {
      nudged = true;
      wake?.();
    });
    const done = (async () => {
      for (;;) {
        const job = await this.store.getJob(id);
        if (!job) throw new Error(`no job ${id}`);
        const events = await this.store.events(id, after);
        for (const e of events) {
          after = e.seq;
          onEvent(e, job);
        }
        if (isFinal(job)) {
          // Done once its closing event is delivered; a final state reached without one (a failed job marked
          // cancelled) once nothing more comes.
          if (events.some((e) => (e.type === 'job' || e.type === 'error') && e.state === job.state)) return job;
          if (events.length === 0 && ++quietFinal >= 2) return job;
        }
        if (stopped) return job;
        if (nudged) {
          nudged = false;
          continue;
        }
        await new Promise<void>((r) => {
          const t = setTimeout(r, isFinal(job) ? POLL_FINAL_MS : POLL_MS);
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
        wake = undefined;
        nudged = false;
      }
    })().finally(remove);
    return {
      done,
      stop: () => {
        stopped = true;
        wake?.();
      },
    };
  }
}
