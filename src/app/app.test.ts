// What the composition root decides itself: the runner's settings from the configuration, and refusing a
// simulator's configuration built without the simulator's drivers (power and ping would go to the real tools).
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { createApp, runnerSettings } from './app.js';

const cluster = { name: 'a', host: '127.0.0.1', user: 'nodevac', password: 'p', tls: { insecure: true } };
const FINGERPRINT = `sha256:${Array.from({ length: 32 }, () => 'AB').join(':')}`;

describe('runnerSettings', () => {
  it('takes the limits and timeouts of the configuration, the given settings over them', () => {
    const config = configSchema.parse({
      clusters: [cluster],
      timeouts: { leaseSeconds: 40, bootSeconds: 600 },
      ipmi: { user: 'ADMIN', password: 'x', powerOff: 'hard', softOffTimeoutSeconds: 10 },
    });
    expect(runnerSettings(config, { pollMs: 20 })).toMatchObject({
      leaseMs: 40_000,
      bootMs: 600_000,
      powerOffMode: 'hard',
      softOffMs: 10_000,
      pollMs: 20,
    });
  });
});

describe('createApp', () => {
  it('refuses a configuration naming a simulator when no drivers are given', async () => {
    const config = configSchema.parse({
      clusters: [cluster],
      simulator: { url: 'https://127.0.0.1:1', tls: { fingerprint: FINGERPRINT } },
    });
    await expect(createApp({ config })).rejects.toThrow(/names a simulator .* no simulator drivers were given/);
  });
});
