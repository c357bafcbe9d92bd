// Announcements: one JSON POST per event to each webhook, signed when a secret is configured, retried with
// backoff. A delivery never throws into the job: what failed comes back as warnings for the job to record.
import { createHmac, randomUUID } from 'node:crypto';
import { safeText } from '../util/quote.js';
import { sleep } from '../util/sleep.js';
import { MonitoringError } from './errors.js';
import { answerText, HttpClient, type HttpEndpoint } from './http.js';

export type AnnouncementType = 'job.started' | 'step.ended' | 'job.ended';

/** The body of every POST (the fields; absent ones are null so receivers see one shape). */
export interface Announcement {
  type: AnnouncementType;
  /** ISO 8601 */
  time: string;
  jobId: string;
  kind: string;
  cluster: string;
  node: string | null;
  operator: string;
  reason: string | null;
  ticket: string | null;
  step: string | null;
  state: string | null;
  message: string | null;
}

export interface WebhookTarget extends HttpEndpoint {
  /** HMAC-SHA256 key; resolved at the last moment, never logged. */
  secret?: string;
}

export interface Delivery {
  url: string;
  ok: boolean;
  attempts: number;
  /** Why it failed, safe to show and to store (no secret, no body). */
  warning?: string;
}

/** The signature header: "sha256=" and the hex HMAC-SHA256 of the exact body sent, keyed by the secret. */
export const SIGNATURE_HEADER = 'x-nodevac-signature';
/** The same on every attempt of one event, so a receiver can drop a retry it already took. */
export const DELIVERY_HEADER = 'x-nodevac-delivery';

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface AnnouncerOptions {
  /** Pauses before each retry (default 1, 4 and 15 s: four attempts). */
  retryDelaysMs?: number[];
  /** Stops retrying (a shutting-down process); what was not delivered is reported as failed. */
  signal?: AbortSignal;
}

export class Announcer {
  /** A target whose client could not be made (its CA file unreadable) keeps the reason, reported on each event. */
  private readonly targets: { target: WebhookTarget; http: HttpClient | MonitoringError }[];
  private readonly delays: number[];

  constructor(
    targets: WebhookTarget[],
    private readonly opts: AnnouncerOptions = {},
  ) {
    this.targets = targets.map((target) => {
      try {
        return { target, http: new HttpClient(target) };
      } catch (err) {
        if (err instanceof MonitoringError) return { target, http: err };
        throw err;
      }
    });
    this.delays = opts.retryDelaysMs ?? [1000, 4000, 15000];
  }

  get size(): number {
    return this.targets.length;
  }

  /** Posts the event to every webhook at once; resolves (never rejects) with one delivery per webhook. */
  async announce(event: Announcement): Promise<Delivery[]> {
    const body = JSON.stringify(event);
    const id = randomUUID();
    return Promise.all(this.targets.map(({ target, http }) => this.deliver(target, http, body, id)));
  }

  private async deliver(
    target: WebhookTarget,
    http: HttpClient | MonitoringError,
    body: string,
    id: string,
  ): Promise<Delivery> {
    if (http instanceof MonitoringError) return { url: target.url, ok: false, attempts: 0, warning: http.message };
    const headers: Record<string, string> = { 'content-type': 'application/json', [DELIVERY_HEADER]: id };
    if (target.secret !== undefined) headers[SIGNATURE_HEADER] = sign(target.secret, body);
    let warning = '';
    for (let attempt = 1; ; attempt++) {
      try {
        const a = await http.request('POST', '', { body, headers });
        if (a.status >= 200 && a.status < 300) return { url: target.url, ok: true, attempts: attempt };
        warning = `${http.where}: ${a.status} ${answerText(a)}`;
        // A receiver that refuses the request as such will refuse it again.
        if (a.status >= 400 && a.status < 500 && a.status !== 408 && a.status !== 429)
          return { url: target.url, ok: false, attempts: attempt, warning };
      } catch (err) {
        warning = err instanceof MonitoringError ? err.message : `${http.where}: ${safeText(String(err), 300)}`;
      }
      const pause = this.delays[attempt - 1];
      if (pause === undefined || this.opts.signal?.aborted)
        return { url: target.url, ok: false, attempts: attempt, warning };
      await sleep(pause, this.opts.signal);
    }
  }
}
