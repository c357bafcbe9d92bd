// Announcements to a local HTTP receiver: one POST per event to each webhook, signed when a secret is set,
// retried on failure with the same delivery id, and never an exception for the job.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Announcer, DELIVERY_HEADER, SIGNATURE_HEADER, type Announcement } from '../../src/monitoring/webhook.js';
import { startReceiver } from './servers.js';

const event: Announcement = {
  type: 'job.started',
  time: '2030-01-01T00:00:00.000Z',
  jobId: 'J1',
  kind: 'evacuate',
  cluster: 'lab',
  node: 'node3.ganeti.test',
  operator: 'alice',
  reason: 'kernel update',
  ticket: 'T1',
  step: null,
  state: 'running',
  message: null,
};
const FAST = { retryDelaysMs: [1, 1, 1] };
const target = (url: string, secret?: string) => ({
  field: 'monitoring.webhooks[0]',
  url,
  timeoutSeconds: 5,
  secret,
});

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});
async function receiver(answer?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(answer);
  stops.push(r.stop);
  return r;
}

describe('webhook announcements', () => {
  it('posts the event as JSON to the URL as written, signed with HMAC-SHA256 of the body', async () => {
    const r = await receiver();
    const deliveries = await new Announcer([target(r.url, 's3cret')], FAST).announce(event);
    expect(deliveries).toEqual([{ url: r.url, ok: true, attempts: 1 }]);
    expect(r.received).toHaveLength(1);
    const [got] = r.received;
    expect(JSON.parse(got!.body)).toEqual(event);
    expect(got!.headers['content-type']).toBe('application/json');
    const expected = `sha256=${createHmac('sha256', 's3cret').update(got!.body).digest('hex')}`;
    expect(got!.headers[SIGNATURE_HEADER]).toBe(expected);
  });

  it('sends no signature without a secret', async () => {
    const r = await receiver();
    await new Announcer([target(r.url)], FAST).announce(event);
    expect(r.received[0]!.headers[SIGNATURE_HEADER]).toBeUndefined();
  });

  it('retries a failed delivery with the same delivery id until it is taken', async () => {
    const r = await receiver((n) => (n < 3 ? 503 : 200));
    const [d] = await new Announcer([target(r.url)], FAST).announce(event);
    expect(d).toEqual({ url: r.url, ok: true, attempts: 3 });
    const ids = new Set(r.received.map((x) => x.headers[DELIVERY_HEADER]));
    expect(ids.size).toBe(1);
    expect(r.received.map((x) => x.body)).toEqual(Array(3).fill(JSON.stringify(event)));
  });

  it('gives up after the last retry, and does not retry a refusal; a warning each time, never a throw', async () => {
    const down = await receiver(() => 500);
    const refusing = await receiver(() => 404);
    const deliveries = await new Announcer(
      [target(down.url), { ...target(refusing.url), field: 'monitoring.webhooks[1]' }],
      FAST,
    ).announce(event);
    expect(deliveries).toEqual([
      { url: down.url, ok: false, attempts: 4, warning: `monitoring.webhooks[0] (${down.url}): 500 ok` },
      { url: refusing.url, ok: false, attempts: 1, warning: `monitoring.webhooks[1] (${refusing.url}): 404 ok` },
    ]);
    expect(down.received).toHaveLength(4);
    expect(refusing.received).toHaveLength(1);
  });

  it('reports an unreachable receiver as a warning', async () => {
    const [d] = await new Announcer([target('http://127.0.0.1:9/hook')], FAST).announce(event);
    expect(d).toMatchObject({ ok: false, attempts: 4 });
    expect(d!.warning).toMatch(/^monitoring\.webhooks\[0\] \(http:\/\/127\.0\.0\.1:9\/hook\): connection refused/);
  });

  it('reports a webhook whose CA file cannot be read on each event, instead of throwing', async () => {
    const announcer = new Announcer([{ ...target('https://127.0.0.1:9/hook'), tls: { ca: '/nonexistent/ca.pem' } }]);
    expect(await announcer.announce(event)).toEqual([
      {
        url: 'https://127.0.0.1:9/hook',
        ok: false,
        attempts: 0,
        warning:
          'monitoring.webhooks[0] (https://127.0.0.1:9/hook): cannot read the CA file /nonexistent/ca.pem (ENOENT)',
      },
    ]);
  });

  it('stops retrying when its signal aborts', async () => {
    const r = await receiver(() => 500);
    const stop = new AbortController();
    stop.abort();
    const [d] = await new Announcer([target(r.url)], { retryDelaysMs: [60_000], signal: stop.signal }).announce(event);
    expect(d).toMatchObject({ ok: false, attempts: 1 });
  });

  it('announces each event once to every webhook', async () => {
    const a = await receiver();
    const b = await receiver();
    const announcer = new Announcer([target(a.url), target(b.url)], FAST);
    await announcer.announce(event);
    await announcer.announce({ ...event, type: 'job.ended', state: 'done' });
    for (const r of [a, b])
      expect(r.received.map((x) => (JSON.parse(x.body) as Announcement).type)).toEqual(['job.started', 'job.ended']);
  });
});
