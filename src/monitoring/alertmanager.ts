// Alertmanager API v2 (api/v2/openapi.yaml): silences. An HA cluster is several URLs: each request is tried on
// each in turn and the first answer wins (spicerack alertmanager.py _api_request); the cluster gossips the rest.
import { safeText } from '../util/quote.js';
import { MonitoringError, mostTelling } from './errors.js';
import { answerText, HttpClient, type HttpAnswer, type HttpEndpoint } from './http.js';
import type { Matcher } from './template.js';

export type SilenceState = 'active' | 'pending' | 'expired';

export interface Silence {
  id: string;
  state: SilenceState;
  comment: string;
  createdBy: string;
  startsAt: string;
  endsAt: string;
  matchers: Matcher[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AlertmanagerClient {
  private readonly clients: HttpClient[];

  constructor(endpoints: HttpEndpoint[]) {
    if (endpoints.length === 0) throw new Error('an Alertmanager client needs at least one URL');
    this.clients = endpoints.map((e) => new HttpClient(e));
  }

  get urls(): string[] {
    return this.clients.map((c) => c.endpoint.url);
  }

  /**
   * Creates a silence; its id. With `id`, updates that silence: Alertmanager keeps the id when it can (a later end
   * of an active silence) and otherwise expires it and answers a new one (silence/silence.go: Set, canUpdate).
   */
  async createSilence(s: {
    id?: string;
    matchers: Matcher[];
    startsAt: Date;
    endsAt: Date;
    createdBy: string;
    comment: string;
  }): Promise<string> {
    const body = {
      ...(s.id !== undefined ? { id: s.id } : {}),
      matchers: s.matchers,
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      createdBy: s.createdBy,
      comment: s.comment,
    };
    return this.each('create a silence', async (c) => {
      const a = await c.request('POST', 'api/v2/silences', { json: body });
      if (a.status !== 200) throw statusError(c, a, 'POST /api/v2/silences');
      const id = (a.body as { silenceID?: unknown } | undefined)?.silenceID;
      if (typeof id !== 'string' || !UUID.test(id))
        throw c.error('protocol', `POST /api/v2/silences answered without a silenceID`, 'is this an Alertmanager?');
      return id;
    });
  }

  /** Every silence the cluster knows (expired ones too, until Alertmanager forgets them). */
  async silences(): Promise<Silence[]> {
    return this.each('list the silences', async (c) => {
      const a = await c.request('GET', 'api/v2/silences');
      if (a.status !== 200) throw statusError(c, a, 'GET /api/v2/silences');
      if (!Array.isArray(a.body))
        throw c.error('protocol', 'GET /api/v2/silences did not answer a list', 'is this an Alertmanager?');
      return a.body.map((s) => toSilence(c, s));
    });
  }

  /**
   * Expires a silence. "gone" when no Alertmanager knows it any more, or (before 0.25) it had already expired:
   * Alertmanager answers 500 for both, which spicerack's remove_downtime also takes as done.
   */
  async expireSilence(id: string): Promise<'expired' | 'gone'> {
    if (!UUID.test(id)) throw new Error(`not a silence id: ${safeText(id, 80)}`);
    let gone = 0;
    const result = await this.each('expire the silence', async (c) => {
      const a = await c.request('DELETE', `api/v2/silence/${id}`);
      if (a.status === 200) return 'expired' as const;
      if (a.status === 500 && /not found|already expired/i.test(a.text)) {
        gone++;
        // In a cluster another instance may not have the silence yet: ask the next one.
        throw c.error('not-found', `silence ${id} not found`, '');
      }
      throw statusError(c, a, `DELETE /api/v2/silence/${id}`);
    }).catch((err: unknown) => {
      if (gone === this.clients.length) return 'gone' as const;
      throw err;
    });
    return result;
  }

  /** Asks each instance for its status: one entry per URL, with the failure if any. */
  async check(): Promise<{ url: string; error?: MonitoringError }[]> {
    return Promise.all(
      this.clients.map(async (c) => {
        try {
          const a = await c.request('GET', 'api/v2/silences');
          if (a.status !== 200) throw statusError(c, a, 'GET /api/v2/silences');
          return { url: c.endpoint.url };
        } catch (err) {
          return { url: c.endpoint.url, error: asMonitoringError(c, err) };
        }
      }),
    );
  }

  private async each<T>(what: string, fn: (c: HttpClient) => Promise<T>): Promise<T> {
    const errors: MonitoringError[] = [];
    for (const c of this.clients) {
      try {
        return await fn(c);
      } catch (err) {
        const e = asMonitoringError(c, err);
        // What was sent is refused for its content: another instance would refuse it too.
        if (e.kind === 'bad-request') throw e;
        errors.push(e);
      }
    }
    const telling = mostTelling(errors);
    if (errors.length === 1) throw telling;
    throw new MonitoringError(
      telling.kind,
      'monitoring.alertmanager',
      `could not ${what} on any Alertmanager: ${errors.map((e) => e.message).join('; ')}`,
      telling.hint,
      telling.status,
    );
  }
}

function asMonitoringError(c: HttpClient, err: unknown): MonitoringError {
  if (err instanceof MonitoringError) return err;
  return c.error('protocol', safeText(String((err as Error).message ?? err), 300), '');
}

/** What a refusing status means here and what to fix; the words after the status are fixed for auth refusals. */
const REFUSALS: Partial<Record<number, { kind: MonitoringError['kind']; said?: string; hint: string }>> = {
  401: {
    kind: 'auth',
    said: 'Unauthorized',
    hint: 'check monitoring.alertmanager.user and its password (the proxy in front of Alertmanager refused them)',
  },
  403: {
    kind: 'forbidden',
    said: 'Forbidden',
    hint: "let monitoring.alertmanager.user create, list and expire silences (GET/POST /api/v2/silences, DELETE /api/v2/silence/*) in the proxy's rules",
  },
  400: { kind: 'bad-request', hint: 'check monitoring.alertmanager.matchers' },
  422: { kind: 'bad-request', hint: 'check monitoring.alertmanager.matchers' },
};

function statusError(c: HttpClient, a: HttpAnswer, what: string): MonitoringError {
  const r = REFUSALS[a.status] ?? { kind: 'server', hint: "see the Alertmanager's log" };
  return c.error(r.kind, `${what}: ${a.status} ${r.said ?? answerText(a)}`, r.hint, a.status);
}

function toSilence(c: HttpClient, raw: unknown): Silence {
  const s = raw as Partial<Silence> & { status?: { state?: unknown } };
  const state = s?.status?.state;
  if (
    typeof s?.id !== 'string' ||
    (state !== 'active' && state !== 'pending' && state !== 'expired') ||
    !Array.isArray(s.matchers)
  )
    throw c.error('protocol', 'GET /api/v2/silences answered a silence without id, state or matchers', '');
  return {
    id: s.id,
    state,
    comment: typeof s.comment === 'string' ? s.comment : '',
    createdBy: typeof s.createdBy === 'string' ? s.createdBy : '',
    startsAt: String(s.startsAt ?? ''),
    endsAt: String(s.endsAt ?? ''),
    matchers: s.matchers.map((m) => ({
      name: String(m.name),
      value: String(m.value),
      isRegex: m.isRegex === true,
      isEqual: m.isEqual !== false,
    })),
  };
}
