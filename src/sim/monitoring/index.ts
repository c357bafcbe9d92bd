// The demo world's monitoring: a simulated Alertmanager (HTTP) and Icinga 2 API (HTTPS, self-signed like a fresh
// `icinga2 api setup`), on 127.0.0.1, each on its own port. `nodevac demo` and tests point the monitoring section
// of their configuration at these URLs (monitoringConfig below).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCertificate } from '../cert.js';
import type { MonitoringConfig } from '../../config/schema.js';
import { pemFingerprint } from '../../util/tls.js';
import { SimAlertmanager } from './alertmanager.js';
import { SimIcinga, type SimIcingaUser } from './icinga.js';
import type { SimReply, SimRequest } from './types.js';

export { SimAlertmanager, type SimSilence } from './alertmanager.js';
export { SimIcinga, type SimDowntime, type SimIcingaUser } from './icinga.js';

export interface MonitoringSimOptions {
  /** Icinga hosts (each with a "ping" service): the demo's node names. */
  hosts: string[];
  /** Icinga API users; default one "nodevac" user with exactly what nodevac needs. */
  icingaUsers?: Record<string, SimIcingaUser>;
  /** Basic-auth users in front of Alertmanager; default none. */
  alertmanagerUsers?: Record<string, string>;
  /** Ports; 0 (default): any free one. */
  alertmanagerPort?: number;
  icingaPort?: number;
  now?: () => number;
}

export interface MonitoringSim {
  alertmanager: SimAlertmanager;
  icinga: SimIcinga;
  alertmanagerUrl: string;
  icingaUrl: string;
  /** sha256 fingerprint of the Icinga API certificate, to pin. */
  icingaFingerprint: string;
  /** The configuration section that points nodevac at these (the password inline: it is the simulator's). */
  monitoringConfig(): MonitoringConfig;
  close(): Promise<void>;
}

export const SIM_ICINGA_USER = 'nodevac';
export const SIM_ICINGA_PASSWORD = 'nodevac-icinga-sim';

export async function startMonitoringSim(opts: MonitoringSimOptions): Promise<MonitoringSim> {
  const now = opts.now ?? Date.now;
  const alertmanager = new SimAlertmanager(now, opts.alertmanagerUsers ?? {});
  const icinga = new SimIcinga(
    new Map(opts.hosts.map((h) => [h, ['ping']])),
    opts.icingaUsers ?? {
      [SIM_ICINGA_USER]: {
        password: SIM_ICINGA_PASSWORD,
        permissions: [
          'actions/schedule-downtime',
          'actions/remove-downtime',
          'objects/query/Downtime',
          'objects/query/Host',
        ],
      },
    },
    now,
  );
  // Like `icinga2 api setup`'s: self-signed, with the address it is reached by.
  const { cert, key } = await selfSignedCertificate('icinga.demo', '127.0.0.1');
  const amServer = http.createServer(serve((r) => alertmanager.handle(r)));
  const icingaServer = https.createServer(
    { cert, key },
    serve((r) => icinga.handle(r)),
  );
  const amPort = await listen(amServer, opts.alertmanagerPort ?? 0);
  const icingaPort = await listen(icingaServer, opts.icingaPort ?? 0);
  const icingaUrl = `https://127.0.0.1:${icingaPort}`;
  const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
  const icingaFingerprint = pemFingerprint(cert);
  return {
    alertmanager,
    icinga,
    alertmanagerUrl,
    icingaUrl,
    icingaFingerprint,
    monitoringConfig: () => ({
      alertmanager: {
        urls: [alertmanagerUrl],
        timeoutSeconds: 10,
        matchers: [{ name: 'instance', value: '^({short})(\\..+)?(:[0-9]+)?$', isRegex: true, isEqual: true }],
      },
      icinga: {
        url: icingaUrl,
        user: SIM_ICINGA_USER,
        password: SIM_ICINGA_PASSWORD,
        tls: { fingerprint: icingaFingerprint },
        host: '{node}',
        timeoutSeconds: 10,
      },
    }),
    close: async () => {
      await Promise.all([close(amServer), close(icingaServer)]);
    },
  };
}

function serve(handle: (r: SimRequest) => SimReply) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = handle({
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0]!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(reply.status, { 'content-type': reply.contentType, connection: 'close' }).end(reply.body);
    });
  };
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
