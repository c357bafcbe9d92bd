// TLS trust through the facade. A cluster presenting another certificate than the pinned one is refused
// before any HTTP request (so no credentials leave), and its status shows the fingerprint it presented; one
// whose certificate the configured CA did not sign is refused the same way. A cluster configured insecure
// is used, with an 'insecure-tls' warning in every plan.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeLookupError, type NodevacApp } from '../../src/app/index.js';
import { RapiError } from '../../src/ganeti/errors.js';
import type { PlanKind } from '../../src/plan/types.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { FAST, appOn, removeDir, tempDir } from '../faults/helpers.js';

const WRONG_PIN = `sha256:${Array.from({ length: 32 }, () => 'AB').join(':')}`;

let sim: Simulator;
let dir: string;
let app: NodevacApp | undefined;

beforeAll(async () => {
  sim = await startSimulator(FAST);
  dir = await tempDir('tls');
});
afterEach(async () => {
  await app?.close();
  app = undefined;
});
afterAll(async () => {
  await sim?.close();
  await removeDir(dir);
});

const requests = () => sim.stats().clusters.small!.requests;

function withTls(tls: object) {
  const clusters = (sim.config().clusters as object[]).map((c) => ({ ...c, tls }));
  return appOn(sim, { dir }, { extra: { clusters } });
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  return (await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  )) as Error;
}

describe('a certificate that does not match', () => {
  it('the pinned fingerprint: refused before HTTP; the status shows the presented fingerprint', async () => {
    app = await withTls({ fingerprint: WRONG_PIN });
    const before = requests();
    const status = await app.clusterStatus('small');
    expect(status.reachable).toBe(false);
    expect(status.error?.message).toContain(
      `TLS certificate mismatch: the server presents sha256:${sim.fingerprint}, the configuration pins sha256:${WRONG_PIN.slice(7)}`,
    );
    expect(status.error?.hint).toContain(`sha256:${sim.fingerprint}`);
    const listed = await rejection(app.listNodes());
    expect(listed).toBeInstanceOf(RapiError);
    expect((listed as RapiError).kind).toBe('tls');
    expect((listed as RapiError).details.fingerprint).toBe(sim.fingerprint);
    const planned = await rejection(app.plan({ kind: 'evacuate', node: 'node2' }));
    expect(planned).toBeInstanceOf(NodeLookupError);
    expect(planned.message).toContain('TLS certificate mismatch');
    // Not one request reached the RAPI: the credentials never left.
    expect(requests()).toBe(before);
  });

  it('the configured CA: refused before HTTP; the message shows the presented fingerprint', async () => {
    const ca = await generate([{ name: 'commonName', value: 'Some Other CA' }], { keySize: 2048, algorithm: 'sha256' });
    const file = join(dir, 'ca.pem');
    await writeFile(file, ca.cert);
    app = await withTls({ ca: file });
    const before = requests();
    const status = await app.clusterStatus('small');
    expect(status.reachable).toBe(false);
    expect(status.error?.message).toMatch(/TLS certificate not trusted/);
    expect(status.error?.message).toContain(`it presents sha256:${sim.fingerprint}`);
    expect(status.error?.hint).toContain(`"tls": {"fingerprint": "sha256:${sim.fingerprint}"}`);
    expect(requests()).toBe(before);
  });
});

describe('a cluster configured insecure', () => {
  it('is used, and every plan carries an insecure-tls warning', async () => {
    app = await withTls({ insecure: true });
    const status = await app.clusterStatus('small');
    expect([status.reachable, status.insecure]).toEqual([true, true]);
    let plans = 0;
    for (const kind of ['evacuate', 'poweroff', 'poweron', 'return'] as PlanKind[]) {
      for (const node of ['node1', 'node2', 'node3', 'node4']) {
        const plan = await app.plan({ kind, node });
        expect(
          plan.warnings.filter((w) => w.code === 'insecure-tls').map((w) => w.message),
          `${kind} ${node}`,
        ).toEqual(['cluster small: TLS certificate not verified (insecure: true in the configuration)']);
        plans++;
      }
    }
    const detail = await app.nodeDetail('small', 'node2.small.example.org');
    expect(detail.plan.warnings.map((w) => w.code)).toContain('insecure-tls');
    expect(plans).toBe(16);
  });

  it('a pinned cluster has no such warning', async () => {
    app = await appOn(sim, { dir });
    const plan = await app.plan({ kind: 'evacuate', node: 'node2' });
    expect(plan.warnings.map((w) => w.code)).not.toContain('insecure-tls');
  });
});
