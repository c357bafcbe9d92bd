// A simulated Alertmanager 0.25: the api/v2 silence endpoints nodevac uses, with the answers a real one gives
// (recorded in test/fixtures/monitoring/alertmanager*.json; test/monitoring/sim.test.ts compares them).
// Alertmanager sources: api/v2/api.go (postSilencesHandler, deleteSilenceHandler), silence/silence.go
// (validateSilence, Expire: an expired silence stays listed as "expired").
import { randomUUID } from 'node:crypto';
import { basicAuth, json, type SimReply, type SimRequest } from './types.js';

export interface SimMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface SimSilence {
  id: string;
  matchers: SimMatcher[];
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  createdBy: string;
  comment: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class SimAlertmanager {
  readonly silences = new Map<string, SimSilence>();

  constructor(
    private readonly now: () => number = Date.now,
    /** Basic-auth users (--web.config.file); none: open, as Alertmanager is by default. */
    private readonly users: Record<string, string> = {},
  ) {}

  state(s: SimSilence): 'active' | 'pending' | 'expired' {
    const now = this.now();
    if (s.endsAt <= now) return 'expired';
    return s.startsAt > now ? 'pending' : 'active';
  }

  /** The silences in force for a node's instance label value (for the demo's views). */
  activeFor(instance: string): SimSilence[] {
    return [...this.silences.values()].filter(
      (s) =>
        this.state(s) === 'active' &&
        s.matchers.every((m) => {
          if (m.name !== 'instance') return false;
          const hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test(instance) : m.value === instance;
          return hit === m.isEqual;
        }),
    );
  }

  handle(req: SimRequest): SimReply {
    if (Object.keys(this.users).length > 0) {
      const who = basicAuth(req.headers);
      if (!who || this.users[who.user] !== who.password)
        return { status: 401, body: 'Unauthorized\n', contentType: 'text/plain; charset=utf-8' };
    }
    if (req.method === 'GET' && req.path === '/-/ready') return { status: 200, body: 'OK', contentType: 'text/plain' };
    if (req.method === 'GET' && req.path === '/api/v2/silences')
      return json(
        200,
        [...this.silences.values()].map((s) => this.view(s)),
      );
    if (req.method === 'POST' && req.path === '/api/v2/silences') return this.create(req.body);
    const del = /^\/api\/v2\/silence\/([^/]+)$/.exec(req.path);
    if (req.method === 'DELETE' && del) return this.expire(decodeURIComponent(del[1]!));
    return json(404, { code: 404, message: `path ${req.path} was not found` });
  }

  private view(s: SimSilence) {
    return {
      id: s.id,
      status: { state: this.state(s) },
      updatedAt: iso(s.updatedAt),
      comment: s.comment,
      createdBy: s.createdBy,
      endsAt: iso(s.endsAt),
      matchers: s.matchers.map((m) => ({ isEqual: m.isEqual, isRegex: m.isRegex, name: m.name, value: m.value })),
      startsAt: iso(s.startsAt),
    };
  }

  private create(text: string): SimReply {
    let body: Partial<Record<'id' | 'matchers' | 'startsAt' | 'endsAt' | 'createdBy' | 'comment', unknown>>;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return json(400, { code: 602, message: 'parsing silence body from "" failed, because invalid JSON' });
    }
    for (const field of ['comment', 'createdBy', 'endsAt', 'matchers', 'startsAt'] as const)
      if (body[field] === undefined) return json(422, { code: 602, message: `${field} in body is required` });
    if (!Array.isArray(body.matchers) || body.matchers.length === 0)
      return json(422, { code: 612, message: 'matchers in body should have at least 1 items' });
    const matchers: SimMatcher[] = [];
    for (const [i, raw] of (body.matchers as Partial<SimMatcher>[]).entries()) {
      const m = { name: String(raw.name ?? ''), value: String(raw.value ?? ''), isRegex: raw.isRegex === true };
      if (m.isRegex) {
        try {
          new RegExp(m.value);
        } catch {
          return json(400, `silence invalid: invalid label matcher ${i}: ${goRegexpError(m.value)}`);
        }
      }
      matchers.push({ ...m, isEqual: raw.isEqual !== false });
    }
    const now = this.now();
    const startsAt = Date.parse(String(body.startsAt));
    const endsAt = Date.parse(String(body.endsAt));
    if (endsAt < startsAt) return json(400, 'silence invalid: end time must not be before start time');
    if (endsAt < now) return json(400, "silence invalid: end time can't be in the past");
    const fields = {
      matchers,
      endsAt,
      updatedAt: now,
      createdBy: String(body.createdBy),
      comment: String(body.comment),
    };
    if (body.id !== undefined && body.id !== '') {
      // An update (silence.go: Set): in place when canUpdate allows it, else the old one expires and a new one is made.
      const old = this.silences.get(String(body.id));
      if (!old) return json(404, 'silence not found');
      const state = this.state(old);
      const sameMatchers = JSON.stringify(old.matchers) === JSON.stringify(matchers);
      if (state !== 'expired' && sameMatchers && endsAt >= now) {
        Object.assign(old, fields, state === 'pending' ? { startsAt: Math.max(startsAt, now) } : {});
        return json(200, { silenceID: old.id });
      }
      if (state !== 'expired') Object.assign(old, { endsAt: now, updatedAt: now });
    }
    const id = randomUUID();
    // Alertmanager moves a start in the past to now (silence.go: canUpdate/setSilence).
    this.silences.set(id, { id, startsAt: Math.max(startsAt, now), ...fields });
    return json(200, { silenceID: id });
  }

  private expire(id: string): SimReply {
    if (!UUID.test(id)) return json(422, { code: 601, message: `silenceID in path must be of type uuid: "${id}"` });
    const s = this.silences.get(id);
    if (!s) return json(500, 'silence not found');
    const now = this.now();
    // 0.25 answers 200 for a silence that has already expired, and leaves it as it was.
    if (this.state(s) !== 'expired') {
      if (s.startsAt > now) s.startsAt = now;
      s.endsAt = now;
      s.updatedAt = now;
    }
    return { status: 200, body: '', contentType: 'application/json' };
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Go's regexp error for the mistake an operator is most likely to make (an unclosed group); others generically. */
function goRegexpError(value: string): string {
  const open = (value.match(/(?<!\\)\(/g) ?? []).length;
  const close = (value.match(/(?<!\\)\)/g) ?? []).length;
  const why = open > close ? `missing closing ): \`${value}\`` : `invalid regular expression: \`${value}\``;
  return `invalid regular expression "${value}": error parsing regexp: ${why}`;
}
