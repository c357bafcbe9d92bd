// Ganeti RAPI v2 client: one method per resource nodevac needs, each written the same way: a read, or a submission.
// Reads are retried with backoff (transport.ts). A submission reaches Ganeti's job queue once: through an outage it
// is sent again only when it cannot have been queued, and a lost answer is resolved by finding the job that carries
// the submission's unique reason (submit.ts).
// A client is its defaults (the reason, the submit hooks) over a transport; withReason/withSubmitHooks build a new
// client over the same transport with one default replaced, as octokit's withDefaults does.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Method } from 'got';
import { quote } from '../util/quote.js';
import { invalidNameError, RapiError } from './errors.js';
import {
  isCancelResult,
  isClusterInfo,
  isGroupList,
  isInstance,
  isInstanceList,
  isJob,
  isJobId,
  isJobList,
  isNode,
  isNodeList,
  isNumber,
  isQueryResult,
  isRoleWord,
  isStringArray,
  isWaitResult,
} from './shapes.js';
import { submitOnce } from './submit.js';
import { RapiTransport, type RapiEndpoint } from './transport.js';
import type {
  EvacuateMode,
  NodeRoleWord,
  RapiClusterInfo,
  RapiGroup,
  RapiInstance,
  RapiJob,
  RapiNode,
  WaitResult,
} from './types.js';

export { probeFingerprint, RapiTransport, type RapiEndpoint } from './transport.js';

/** Attribution carried by every write as Ganeti's `reason`, so Ganeti's job history says who did what. */
export interface ReasonSource {
  operator: string;
  jobId?: string;
  /** The operator's --reason and --ticket, in every write's reason text after the job id. */
  reason?: string;
  ticket?: string;
}

export interface SubmitHooks {
  /** Aborts the waits between attempts (a cancelled job); the pause rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Each failure of a submission that is waited out. */
  onOutage?: (failure: RapiError) => void;
}

/** An answer of /2/query/<resource>: the field descriptions, and per item one [status, value] per field. */
export interface QueryResult {
  fields: unknown[];
  data: [number, unknown][][];
}

type Query = Record<string, string | string[]>;

/**
 * The migration parameters of Ganeti's own evacuations: hail's jobs migrate without runtime changes (no memory
 * ballooned down to fit, and never restored) and across hypervisor versions (src/Ganeti/HTools/Cluster/Utils.hs
 * iMoveToJob: opAllowRuntimeChanges = False, opIgnoreHvversions = True).
 */
export const HAIL_MIGRATION = Object.freeze({ allowRuntimeChanges: false, ignoreHvversions: true });

const LONG_POLL_SECONDS = 10; // Ganeti's _WFJC_TIMEOUT
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class RapiClient {
  readonly cluster: string;
  private readonly transport: RapiTransport;

  /** A client over a new transport (an endpoint), or over one shared with other clients. */
  constructor(
    source: RapiEndpoint | RapiTransport,
    private readonly reason: ReasonSource,
    private readonly hooks: SubmitHooks = {},
  ) {
    this.transport = source instanceof RapiTransport ? source : new RapiTransport(source);
    this.cluster = this.transport.cluster;
  }

  /** A client for one nodevac job: same connections and bound, its own reason (attribution). */
  withReason(reason: ReasonSource): RapiClient {
    return new RapiClient(this.transport, reason, this.hooks);
  }

  /** This client (its reason included) whose submissions stop waiting out an outage on `signal`, and report it. */
  withSubmitHooks(hooks: SubmitHooks): RapiClient {
    return new RapiClient(this.transport, this.reason, hooks);
  }

  /** Highest number of requests in flight at once, across every client sharing this one's connections. */
  get maxInFlight(): number {
    return this.transport.maxInFlight;
  }

  /** Closes the shared transport: every client over it stops. */
  close(): void {
    this.transport.close();
  }

  // ---- cluster -------------------------------------------------------------------------------
  // Methods taking a name are async so that a refused name rejects the promise rather than throwing at the call.
  async version(): Promise<number> {
    return this.read('version', isNumber);
  }

  async features(): Promise<string[]> {
    return this.read('2/features', isStringArray);
  }

  async info(): Promise<RapiClusterInfo> {
    return this.read('2/info', isClusterInfo);
  }

  // ---- nodes ---------------------------------------------------------------------------------
  async nodes(): Promise<RapiNode[]> {
    return this.read('2/nodes?bulk=1', isNodeList);
  }

  async node(name: string): Promise<RapiNode> {
    return this.read(`2/nodes/${seg(name)}`, isNode);
  }

  async nodeRole(name: string): Promise<NodeRoleWord> {
    return this.read(`2/nodes/${seg(name)}/role`, isRoleWord);
  }

  async nodeTags(name: string): Promise<string[]> {
    return this.read(`2/nodes/${seg(name)}/tags`, isStringArray);
  }

  /** /2/query/node: fields not in the bulk list, e.g. `powered`. */
  async queryNodes(fields: string[]): Promise<QueryResult> {
    return this.read(`2/query/node?fields=${fields.map(encodeURIComponent).join(',')}`, isQueryResult);
  }

  async setNodeRole(
    name: string,
    role: Exclude<NodeRoleWord, 'master'>,
    opts: { force?: boolean; autoPromote?: boolean } = {},
  ): Promise<number> {
    const q: Query = {};
    if (opts.force) q.force = '1';
    if (opts.autoPromote) q['auto-promote'] = '1';
    return this.submit('PUT', `2/nodes/${seg(name)}/role`, q, role);
  }

  async modifyNode(
    name: string,
    body: { drained?: boolean; offline?: boolean; master_candidate?: boolean; auto_promote?: boolean; force?: boolean },
  ): Promise<number> {
    return this.submit('POST', `2/nodes/${seg(name)}/modify`, {}, body);
  }

  async evacuateNode(
    name: string,
    opts: { mode: EvacuateMode; iallocator?: string; remoteNode?: string; earlyRelease?: boolean },
  ): Promise<number> {
    const body: Record<string, unknown> = { mode: opts.mode };
    if (opts.iallocator) body.iallocator = opts.iallocator;
    if (opts.remoteNode) body.remote_node = opts.remoteNode;
    if (opts.earlyRelease !== undefined) body.early_release = opts.earlyRelease;
    return this.submit('POST', `2/nodes/${seg(name)}/evacuate`, {}, body);
  }

  /**
   * Ganeti 3.0 reads this resource's body only when the query string is empty; the reason every write
   * carries makes it fall back to the legacy query format, so mode/target/iallocator are ignored there.
   * The engine therefore moves instances one by one (migrateInstance) or with evacuateNode.
   */
  async migrateNode(
    name: string,
    opts: { mode?: 'live' | 'non-live'; targetNode?: string; iallocator?: string } = {},
  ): Promise<number> {
    const body: Record<string, unknown> = {};
    if (opts.mode) body.mode = opts.mode;
    if (opts.targetNode) body.target_node = opts.targetNode;
    if (opts.iallocator) body.iallocator = opts.iallocator;
    return this.submit('POST', `2/nodes/${seg(name)}/migrate`, {}, body);
  }

  async addNodeTags(name: string, tags: string[]): Promise<number> {
    return this.submit('PUT', `2/nodes/${seg(name)}/tags`, { tag: tags });
  }

  async deleteNodeTags(name: string, tags: string[]): Promise<number> {
    return this.submit('DELETE', `2/nodes/${seg(name)}/tags`, { tag: tags });
  }

  // ---- node groups -------------------------------------------------------------------------
  async groups(): Promise<RapiGroup[]> {
    return this.read('2/groups?bulk=1', isGroupList);
  }

  // ---- instances -----------------------------------------------------------------------------
  async instances(): Promise<RapiInstance[]> {
    return this.read('2/instances?bulk=1', isInstanceList);
  }

  async instance(name: string): Promise<RapiInstance> {
    return this.read(`2/instances/${seg(name)}`, isInstance);
  }

  async migrateInstance(
    name: string,
    opts: {
      mode?: 'live' | 'non-live';
      allowFailover?: boolean;
      targetNode?: string;
      iallocator?: string;
      cleanup?: boolean;
      /** Ganeti's default true lets it balloon the instance's memory down to fit the target (OpInstanceMigrate). */
      allowRuntimeChanges?: boolean;
      /** Ganeti's default false refuses a migration between hypervisor versions (Xen). */
      ignoreHvversions?: boolean;
    } = {},
  ): Promise<number> {
    const body: Record<string, unknown> = {};
    if (opts.mode) body.mode = opts.mode;
    if (opts.allowFailover !== undefined) body.allow_failover = opts.allowFailover;
    if (opts.targetNode) body.target_node = opts.targetNode;
    if (opts.iallocator) body.iallocator = opts.iallocator;
    if (opts.cleanup) body.cleanup = true;
    if (opts.allowRuntimeChanges !== undefined) body.allow_runtime_changes = opts.allowRuntimeChanges;
    if (opts.ignoreHvversions !== undefined) body.ignore_hvversions = opts.ignoreHvversions;
    return this.submit('PUT', `2/instances/${seg(name)}/migrate`, {}, body);
  }

  async failoverInstance(
    name: string,
    opts: { targetNode?: string; iallocator?: string; ignoreConsistency?: boolean; shutdownTimeout?: number } = {},
  ): Promise<number> {
    const body: Record<string, unknown> = {};
    if (opts.targetNode) body.target_node = opts.targetNode;
    if (opts.iallocator) body.iallocator = opts.iallocator;
    if (opts.ignoreConsistency) body.ignore_consistency = true;
    if (opts.shutdownTimeout !== undefined) body.shutdown_timeout = opts.shutdownTimeout;
    return this.submit('PUT', `2/instances/${seg(name)}/failover`, {}, body);
  }

  async shutdownInstance(name: string, opts: { timeout?: number; noRemember?: boolean } = {}): Promise<number> {
    const q: Query = {};
    if (opts.noRemember) q.no_remember = '1';
    const body: Record<string, unknown> = {};
    if (opts.timeout !== undefined) body.timeout = opts.timeout;
    return this.submit('PUT', `2/instances/${seg(name)}/shutdown`, q, body);
  }

  /** Ganeti ignores a startup body: options go in the query string. */
  async startupInstance(name: string, opts: { noRemember?: boolean } = {}): Promise<number> {
    return this.submit('PUT', `2/instances/${seg(name)}/startup`, opts.noRemember ? { no_remember: '1' } : {});
  }

  /**
   * Assembles the instance's disks on its nodes (OpInstanceActivateDisks): after a node's reboot its DRBD devices
   * exist again only once this runs. The RAPI ignores a body (rlib2 R_2_instances_name_activate_disks).
   */
  async activateDisks(name: string): Promise<number> {
    return this.submit('PUT', `2/instances/${seg(name)}/activate-disks`, {});
  }

  /**
   * Gives a DRBD instance `remoteNode` as its new secondary (OpInstanceReplaceDisks, mode replace_new_secondary),
   * through the body rlib2 R_2_instances_name_replace_disks reads. Ganeti refuses the primary, the current
   * secondary, an offline or drained node (TLReplaceDisks.CheckPrereq, lib/cmdlib/instance_storage.py).
   */
  async replaceSecondary(name: string, remoteNode: string, opts: { earlyRelease?: boolean } = {}): Promise<number> {
    const body: Record<string, unknown> = { mode: 'replace_new_secondary', remote_node: remoteNode };
    if (opts.earlyRelease) body.early_release = true;
    return this.submit('POST', `2/instances/${seg(name)}/replace-disks`, {}, body);
  }

  /**
   * Starts an OpInstanceQueryData job (rlib2 R_2_instances_name_info: a GET that creates a job) and returns its id;
   * its result holds each disk's status on both nodes (see disks.ts). A lost answer only costs a second query job,
   * so this is retried as a read; it carries the reason for Ganeti's job history.
   */
  async instanceInfo(name: string, opts: { static?: boolean } = {}): Promise<number> {
    const q: Query = { reason: this.reasonText(randomUUID().slice(0, 12)) };
    if (opts.static) q.static = '1';
    return this.transport.request('GET', `2/instances/${seg(name)}/info`, q, undefined, {
      retry: true,
      check: isJobId,
      coerce: Number,
    });
  }

  // ---- jobs ----------------------------------------------------------------------------------
  /** An unknown job: Ganeti answers 200 with every field null; that becomes a not-found error. */
  async job(id: number): Promise<RapiJob> {
    const job = await this.read(`2/jobs/${id}`, isJob);
    if (job.status === null) {
      throw new RapiError(
        'not-found',
        this.cluster,
        `${this.cluster}: Ganeti has no job ${id}`,
        'it may have been archived; check `gnt-job list` on the master',
        { path: `/2/jobs/${id}` },
      );
    }
    return job;
  }

  /** Recent jobs with their ops (for finding a submission by its reason). */
  async jobsBulk(): Promise<RapiJob[]> {
    return this.read('2/jobs?bulk=1', isJobList);
  }

  /**
   * Long-poll: answers when the job's fields or log change, or null after Ganeti's 10 s.
   * Needs the write right; read-only users fall back to polling.
   */
  async waitForJobChange(
    id: number,
    fields: string[],
    previousInfo: unknown[] | null,
    previousLogSerial: number | null,
  ): Promise<WaitResult> {
    const body = { fields, previous_job_info: previousInfo, previous_log_serial: previousLogSerial };
    return this.transport.request('GET', `2/jobs/${id}/wait`, {}, body, {
      retry: true,
      check: isWaitResult,
      timeoutMs: (LONG_POLL_SECONDS + this.transport.endpoint.timeoutSeconds) * 1000,
    });
  }

  /** [cancelled?, Ganeti's message]. Queued and waiting jobs cancel; running ones cannot. */
  async cancelJob(id: number): Promise<[boolean, string]> {
    return this.transport.request('DELETE', `2/jobs/${id}`, {}, undefined, { retry: false, check: isCancelResult });
  }

  /** The `reason` every write carries; `sub` makes each submission findable. */
  reasonText(sub: string): string {
    const who = this.reason.operator.replace(/[^\w.@-]/g, '_');
    // The reason and the ticket are free text: squeezed to what cannot break the "key=value:" reading of the trail.
    const free = (s: string | undefined, key: string) =>
      s?.trim()
        ? `:${key}=${s
            .trim()
            .replace(/[^\w .,@/+-]/g, '_')
            .slice(0, 200)}`
        : '';
    const { jobId, reason, ticket } = this.reason;
    return `nodevac:${who}${jobId ? `:job=${jobId}` : ''}${free(reason, 'reason')}${free(ticket, 'ticket')}:sub=${sub}`;
  }

  // ---- the two ways a resource is reached ----------------------------------------------------
  private read<T>(path: string, check: (v: unknown) => v is T): Promise<T> {
    return this.transport.request<T>('GET', path, {}, undefined, { retry: true, check });
  }

  /** Submits a job and returns its id, through an outage, never twice (see submit.ts). */
  private async submit(method: Method, path: string, query: Query, body?: unknown): Promise<number> {
    const reason = this.reasonText(randomUUID().slice(0, 12));
    const closing = this.transport.signal;
    const signal = this.hooks.signal ? AbortSignal.any([closing, this.hooks.signal]) : closing;
    const { submitAttempts, timeoutSeconds } = this.transport.endpoint;
    const attempts = submitAttempts ?? 8;
    return submitOnce(
      {
        send: () =>
          this.transport.request<number>(method, path, { ...query, reason }, body, {
            retry: false,
            check: isJobId,
            coerce: Number,
          }),
        find: () => this.findSubmission(reason),
        // Jitter only lengthens a pause: a lookup meant for after the settle time must not come early.
        pause: (ms) =>
          delay(ms * (1 + Math.random() / 4), undefined, { signal }).catch(() => Promise.reject(signal.reason)),
        now: () => Date.now(),
        failed: (failure) => this.hooks.onOutage?.(failure),
      },
      // A job still missing from the list one request timeout after the failure was never queued: Ganeti writes
      // the job file before answering, and it was given as long to answer.
      { sends: attempts, lookups: attempts, settleMs: timeoutSeconds * 1000, baseMs: 500, capMs: 8000 },
    );
  }

  private async findSubmission(reason: string): Promise<number | null> {
    const jobs = await this.jobsBulk();
    for (const job of jobs) {
      for (const op of job.ops ?? []) {
        const trail = (op as { reason?: unknown }).reason;
        if (Array.isArray(trail) && trail.some((r) => Array.isArray(r) && r[1] === reason)) return job.id;
      }
    }
    return null;
  }
}

/** A path segment; names that could escape the path are refused before anything is sent. */
function seg(name: string): string {
  if (!SAFE_NAME.test(name) || name.length > 255) throw invalidNameError(quote(name));
  return encodeURIComponent(name);
}
