// The monitoring section made into clients: secrets read when needed, errors naming the field.
import { describe, expect, it } from 'vitest';
import type { MonitoringConfig } from '../config/schema.js';
import { configError } from '../config/testing/config-error.js';
import { monitoringFromConfig } from './build.js';

const hook = (over: Partial<NonNullable<MonitoringConfig['webhooks']>[number]>): MonitoringConfig => ({
  webhooks: [{ url: 'https://chat.example.org/hook', timeoutSeconds: 10, ...over }],
});

describe('monitoringFromConfig', () => {
  it("names the webhook's own secret fields when its secret cannot be read", () => {
    expect(configError(() => monitoringFromConfig(hook({ secretEnv: 'HOOK_SECRET' }), {})).message).toBe(
      'monitoring.webhooks[0].secretEnv: the environment variable HOOK_SECRET is not set',
    );
    expect(configError(() => monitoringFromConfig(hook({ secretFile: '/nonexistent/hook' }), {})).message).toBe(
      'monitoring.webhooks[0].secretFile: cannot read /nonexistent/hook: no such file',
    );
  });

  it('names the Icinga password field', () => {
    const m: MonitoringConfig = {
      icinga: { url: 'https://i:5665', user: 'u', passwordEnv: 'ICINGA_PW', host: '{node}', timeoutSeconds: 10 },
    };
    expect(configError(() => monitoringFromConfig(m, {})).message).toBe(
      'monitoring.icinga.passwordEnv: the environment variable ICINGA_PW is not set',
    );
  });

  it('builds only what is configured', () => {
    const m = monitoringFromConfig(hook({ secret: 's' }), {});
    expect(m.downtime.configured).toBe(false);
    expect(m.announcer.size).toBe(1);
    expect(m.downtimeMinutes).toBeUndefined();
  });
});
