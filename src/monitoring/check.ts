// `config check`: what the monitoring section says, and with --connect whether each endpoint answers and accepts
// nodevac's credentials. Webhooks are not contacted: a test message would land in the operators' channel.
import { ConfigError } from '../config/load.js';
import type { MonitoringConfig } from '../config/schema.js';
import { monitoringFromConfig } from './build.js';

export function describeMonitoring(m: MonitoringConfig | undefined): string {
  if (!m) return 'not configured (no downtime is scheduled, nothing is announced)';
  const parts = [
    m.alertmanager &&
      `alertmanager ${m.alertmanager.urls.length} URL${m.alertmanager.urls.length === 1 ? '' : 's'}${m.alertmanager.tls && 'insecure' in m.alertmanager.tls ? ' (TLS NOT VERIFIED)' : ''}`,
    m.icinga && `icinga ${m.icinga.url}${m.icinga.tls && 'insecure' in m.icinga.tls ? ' (TLS NOT VERIFIED)' : ''}`,
    m.webhooks && `${m.webhooks.length} webhook${m.webhooks.length === 1 ? '' : 's'}`,
  ].filter(Boolean);
  return parts.join(', ');
}

export interface EndpointCheck {
  endpoint: string;
  ok: boolean;
  /** Not ok, and no other endpoint stands in for it (a failed Alertmanager of several that answer does not block). */
  blocking?: boolean;
  error?: string;
  hint?: string;
}

/** Each configured Alertmanager and Icinga endpoint, asked now. Never throws. */
export async function checkMonitoring(m: MonitoringConfig, env: NodeJS.ProcessEnv): Promise<EndpointCheck[]> {
  let built;
  try {
    built = monitoringFromConfig(m, env);
  } catch (err) {
    if (err instanceof ConfigError)
      return [
        {
          endpoint: 'monitoring',
          ok: false,
          blocking: true,
          error: err.message,
          hint: err.problems.join('; ') || undefined,
        },
      ];
    throw err;
  }
  const { problems, warnings } = await built.downtime.check([]);
  const failed = [...problems, ...warnings];
  const endpoints = [
    ...(m.alertmanager?.urls.map((url, i) => `monitoring.alertmanager.urls[${i}] (${url})`) ?? []),
    ...(m.icinga ? [`monitoring.icinga (${m.icinga.url})`] : []),
  ];
  return endpoints.map((endpoint) => {
    const e = failed.find((f) => f.endpoint === endpoint);
    if (!e) return { endpoint, ok: true };
    return { endpoint, ok: false, blocking: problems.includes(e), error: e.message, hint: e.hint || undefined };
  });
}
