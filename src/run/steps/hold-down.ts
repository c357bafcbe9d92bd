// Keeping down what nodevac shut down, against ganeti-watcher. The watcher restarts every instance it reads as
// ERROR_down on an online node (lib/watcher/__init__.py _CheckInstances, BAD_STATES) and cannot be paused through
// the RAPI. A remembered shutdown leaves ADMIN_down, which it leaves alone, but LUInstanceShutdown.Exec
// (lib/cmdlib/instance_operation.py) marks the instance down before it stops the VM, and the watcher's query
// (_GetGroupData) goes through luxid, which reloads config.data only on inotify (src/Ganeti/ConfigReader.hs): a run
// during the shutdown can read admin up with the VM already stopped and submit OpInstanceStartup, which
// LUInstanceStartup runs (and marks the instance up) once the shutdown lets go of the instance's lock. So after a
// shutdown nodevac waits for any startup of the instance still queued in Ganeti, reads the instance again, and
// shuts it down again until it stays down; once the node is offline the watcher can start nothing there
// (LUInstanceStartup CheckNodeOnline; the status is ERROR_nodeoffline, not ERROR_down).
import type { RapiInstance, RapiJob } from '../../ganeti/types.js';
import { StepError } from '../errors.js';
import { isRunning, type StepContext } from './context.js';

/** The watcher itself gives up after MAXTRIES = 5 restarts (watcher/__init__.py); one more than that, and a spare. */
const MAX_SHUTDOWNS = 7;

const PENDING = new Set(['queued', 'waiting', 'running', 'canceling']);

/**
 * Down for good once no startup of it is pending: not running. Admin up without running is what luxid may still
 * report right after the remembered shutdown (its config lags), or an instance that was ERROR_down before nodevac
 * came, which nodevac leaves as it found it; if the watcher starts it later, it is running, and goes down here.
 */
function staysDown(inst: RapiInstance): boolean {
  return !isRunning(inst);
}

/** The instances this job shut down (plan action shutdown) that are still in the job's stopped list. */
export function heldDown(ctx: StepContext): string[] {
  return ctx.job.plan.instances
    .filter((a) => a.action === 'shutdown' && ctx.job.stopped.includes(a.instance))
    .map((a) => a.instance);
}

function startupsOf(jobs: RapiJob[], name: string): RapiJob[] {
  return jobs.filter((j) => {
    const op = j.ops?.[0];
    return op?.OP_ID === 'OP_INSTANCE_STARTUP' && op.instance_name === name;
  });
}

/** Who started the instance, from the newest startup job's reason trail (Ganeti's `reason` opcode parameter). */
export function restartedBy(jobs: RapiJob[], name: string, inst: RapiInstance): string {
  const job = startupsOf(jobs, name).sort((a, b) => b.id - a.id)[0];
  if (job === undefined) return `${name} reads ${inst.status} again (no startup job of it in Ganeti's queue)`;
  const trail = Array.isArray(job.ops?.[0]?.reason) ? (job.ops[0].reason as unknown[]) : [];
  const entries = trail.filter((e): e is [string, string, ...unknown[]] => Array.isArray(e) && e.length >= 2);
  const watcher = entries.find(([source]) => source === 'gnt:watcher');
  if (watcher) return `ganeti-watcher restarted ${name} (Ganeti job ${job.id}, reason "${watcher[1]}")`;
  const first = entries[0];
  const why = first ? `, reason ${first[0]} "${first[1]}"` : '';
  return `${name} was started again by Ganeti job ${job.id}${why}`;
}

async function waitForStartups(ctx: StepContext, jobs: RapiJob[], name: string): Promise<void> {
  for (const j of startupsOf(jobs, name).filter((x) => x.status !== null && PENDING.has(x.status))) {
    ctx.note('log', `waiting for Ganeti job ${j.id}, a startup of ${name}, before judging its state`, {
      instance: name,
    });
    for (;;) {
      const now = await ctx.read((c) => c.job(j.id));
      if (now.status === null || !PENDING.has(now.status)) break;
      ctx.checkDeadline();
      await ctx.pause(ctx.settings.pollMs);
    }
  }
}

/**
 * Reads each instance the job shut down until it stays down, shutting down again (remembered) whatever was
 * started meanwhile, with who started it in the job's log. Returns the instances it had to shut down again.
 */
export async function holdDown(ctx: StepContext, names = heldDown(ctx)): Promise<string[]> {
  const again: string[] = [];
  for (const name of names) {
    for (let shutdowns = 0; ; shutdowns++) {
      const jobs = await ctx.read((c) => c.jobsBulk());
      await waitForStartups(ctx, jobs, name);
      const inst = await ctx.read((c) => c.instance(name));
      if (staysDown(inst)) break;
      const who = restartedBy(await ctx.read((c) => c.jobsBulk()), name, inst);
      if (shutdowns >= MAX_SHUTDOWNS) {
        throw new StepError(
          `${who}, after ${shutdowns} shutdowns by nodevac; pause the watcher on the master (gnt-cluster watcher pause 1h), then nodevac retry ${ctx.job.id}`,
        );
      }
      await ctx.emit('log', `${who}; shutting it down again`, { instance: name });
      ctx.checkStop();
      const id = await ctx.submit((c) => c.shutdownInstance(name, { timeout: ctx.settings.shutdownSeconds }), name);
      await ctx.follow(id, name);
      if (!again.includes(name)) again.push(name);
      ctx.setInstance(name, { state: 'done', message: 'shut down again (it had been restarted); restarted on return' });
    }
  }
  if (again.length) await ctx.save();
  return again;
}
