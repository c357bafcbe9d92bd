// The monitoring section of the configuration, made into a downtime service and an announcer. Secrets are read
// here, when a job needs them, and go no further than the HTTP clients.
import { ConfigError, resolveSecret } from '../config/load.js';
import type { MonitoringConfig } from '../config/schema.js';
import { AlertmanagerClient } from './alertmanager.js';
import { DowntimeService } from './downtime.js';
import { IcingaClient } from './icinga.js';
import { Announcer, type AnnouncerOptions } from './webhook.js';

export interface Monitoring {
  downtime: DowntimeService;
  announcer: Announcer;
  /** From the configuration; undefined: the plan decides the window. */
  downtimeMinutes?: number;
}

/** Throws ConfigError (naming the field) when a secret cannot be read. */
export function monitoringFromConfig(
  m: MonitoringConfig,
  env: NodeJS.ProcessEnv = process.env,
  announcerOptions: AnnouncerOptions = {},
): Monitoring {
  const am = m.alertmanager;
  const ic = m.icinga;
  const amPassword = am?.user !== undefined ? resolveSecret(am, 'monitoring.alertmanager', env) : undefined;
  const downtime = new DowntimeService({
    alertmanager: am && {
      client: new AlertmanagerClient(
        am.urls.map((url, i) => ({
          field: `monitoring.alertmanager.urls[${i}]`,
          url,
          user: am.user,
          password: amPassword,
          tls: am.tls,
          timeoutSeconds: am.timeoutSeconds,
        })),
      ),
      matchers: am.matchers,
    },
    icinga: ic && {
      client: new IcingaClient({
        field: 'monitoring.icinga',
        url: ic.url,
        user: ic.user,
        password: resolveSecret(ic, 'monitoring.icinga', env),
        tls: ic.tls,
        timeoutSeconds: ic.timeoutSeconds,
      }),
      host: ic.host,
    },
  });
  const announcer = new Announcer(
    (m.webhooks ?? []).map((w, i) => ({
      field: `monitoring.webhooks[${i}]`,
      url: w.url,
      tls: w.tls,
      timeoutSeconds: w.timeoutSeconds,
      secret: webhookSecret(w, `monitoring.webhooks[${i}]`, env),
    })),
    announcerOptions,
  );
  return { downtime, announcer, downtimeMinutes: m.downtimeMinutes };
}

/** The signing secret, with the webhook's own field names in any error (resolveSecret speaks of passwords). */
function webhookSecret(
  w: { secret?: string; secretFile?: string; secretEnv?: string },
  path: string,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (w.secret === undefined && w.secretFile === undefined && w.secretEnv === undefined) return undefined;
  try {
    return resolveSecret({ password: w.secret, passwordFile: w.secretFile, passwordEnv: w.secretEnv }, path, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const rename = (s: string) => s.replace(/\bpassword(File|Env)?\b/g, 'secret$1');
    throw new ConfigError(rename(err.message), err.problems.map(rename), err.file);
  }
}
