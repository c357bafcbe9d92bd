// GET /2/jobs/J/wait: the long-poll luxid answers (WaitForJobChange), as rlib2 R_2_jobs_id_wait checks its body.
import { HttpError, jsonReply, type Reply } from './http.js';
import type { JobQueue, SimJob } from './jobs.js';
import { pyJson, pyTypeName } from './json.js';
import { isDict, type RapiRequest } from './rapi-request.js';
import type { SimWorld } from './world.js';

/**
 * GET /2/jobs/J/wait: answers at once when the job is finished or differs from previous_job_info / has log
 * entries after previous_log_serial; otherwise when it changes, or after the timeout with the unchanged state
 * (Ganeti 3.0's luxid answers {"job_info": <unchanged>, "log_entries": []}, never null: observed on the lab).
 */
export function waitForChange(
  world: SimWorld,
  queue: JobQueue,
  waiters: Set<() => void>,
  r: RapiRequest,
): Promise<Reply> | Reply {
  const body = r.body;
  // rlib2 indexes the body with ["fields"]: anything but a dict fails like Python does.
  if (!isDict(body)) {
    const t = pyTypeName(body);
    throw new HttpError(
      500,
      t === 'list'
        ? 'list indices must be integers or slices, not str'
        : t === 'str'
          ? "string indices must be integers, not 'str'"
          : `'${t}' object is not subscriptable`,
    );
  }
  if (!('fields' in body)) throw new HttpError(400, "Required parameter 'fields' is missing");
  const fields = body.fields;
  const prevInfo = body.previous_job_info ?? null;
  const prevSerial = body.previous_log_serial ?? null;
  if (!Array.isArray(fields)) throw new HttpError(400, "The 'fields' parameter should be a list");
  if (!(prevInfo === null || Array.isArray(prevInfo)))
    throw new HttpError(400, "The 'previous_job_info' parameter should be a list");
  if (!(prevSerial === null || (typeof prevSerial === 'number' && Number.isInteger(prevSerial)))) {
    throw new HttpError(400, "The 'previous_log_serial' parameter should be a number");
  }
  const job = queue.get(Number(r.items[0]));
  if (job === undefined) throw new HttpError(500, "Can't load job file");
  const compute = (j: SimJob) => {
    const info = (fields as unknown[]).map((f) => (typeof f === 'string' ? j.field(f) : null));
    const logs = j.log.filter((e) => prevSerial === null || e[0] > (prevSerial as number));
    return { info, logs };
  };
  const answer = (j: SimJob) => {
    const { info, logs } = compute(j);
    return jsonReply(pyJson({ job_info: info, log_entries: logs }));
  };
  const changed = (j: SimJob) => {
    const { info, logs } = compute(j);
    return logs.length > 0 || pyJson(info) !== pyJson(prevInfo);
  };
  if (job.final || changed(job)) return answer(job);
  return new Promise<Reply>((resolve) => {
    const done = () => {
      world.timers.clear(timer);
      queue.off('change', onChange);
      waiters.delete(done);
      resolve(answer(job));
    };
    const onChange = (j: SimJob) => {
      if (j === job && changed(job)) done();
    };
    const timer = world.timers.set(done, world.timing.waitTimeoutMs);
    queue.on('change', onChange);
    waiters.add(done);
  });
}
