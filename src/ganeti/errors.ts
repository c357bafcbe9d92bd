// Typed RAPI failures, and the pure mapping from what went wrong (an HTTP status and body, a connection error
// code, a certificate) to one of them. Each names the cluster and what to check, and keeps the original as cause.
import { safeText } from '../util/quote.js';

export type RapiErrorKind =
  | 'auth' // 401
  | 'forbidden' // 403: the user lacks the write right
  | 'not-found' // 404, or an unknown job (Ganeti answers 200 with nulls)
  | 'bad-request' // 400 / 415
  | 'unavailable' // 502 / 503 / 504: master daemon unreachable, queue drained or full, timeout behind RAPI
  | 'server' // 500 and other codes
  | 'tls' // certificate does not match its CA or pinned fingerprint
  | 'refused' // nothing listens / host unreachable / name does not resolve
  | 'timeout' // no answer in time
  | 'protocol' // the answer is not what Ganeti sends (malformed, truncated, too large, wrong types)
  | 'lost'; // a submission's answer was lost and whether Ganeti queued the job could not be told

export class RapiError extends Error {
  override readonly name = 'RapiError';
  constructor(
    readonly kind: RapiErrorKind,
    readonly cluster: string,
    message: string,
    readonly hint: string,
    readonly details: {
      status?: number;
      code?: number;
      explain?: string;
      path?: string;
      fingerprint?: string;
      /** Ganeti's own error message, as sent, when the answer was Ganeti's JSON error body. */
      ganetiMessage?: string;
    } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** Worth trying the same read again later. */
  get transient(): boolean {
    return this.kind === 'unavailable' || this.kind === 'refused' || this.kind === 'timeout';
  }
}

/** A Ganeti job that ended in error: Ganeti's own message and error code. */
export class GanetiJobError extends Error {
  override readonly name = 'GanetiJobError';
  constructor(
    readonly cluster: string,
    readonly jobId: number,
    /** e.g. OpPrereqError, OpExecError */
    readonly errorType: string,
    message: string,
    /** e.g. wrong_input, wrong_state, insufficient_resources */
    readonly ecode: string | null,
  ) {
    super(message);
  }
}

// Ganeti escapes error messages with Python's html.escape: exactly these five.
const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#x27;': "'",
  '&#39;': "'",
};

export function unescapeGaneti(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#x27|#39);/g, (m) => ENTITIES[m] ?? m);
}

/**
 * Turns a failed opcode's result into a readable message, safe to show (Ganeti's messages quote what it was sent).
 * Ganeti: [ErrorType, [message, ecode]] — and older/odd shapes: [ErrorType, message] or a plain string.
 */
export function describeOpError(result: unknown): { errorType: string; message: string; ecode: string | null } {
  const d = rawOpError(result);
  return { ...d, errorType: safeText(d.errorType, 100), message: safeText(d.message) };
}

function rawOpError(result: unknown): { errorType: string; message: string; ecode: string | null } {
  if (Array.isArray(result) && typeof result[0] === 'string') {
    const [errorType, args] = result as [string, unknown];
    if (Array.isArray(args)) {
      const parts = args.filter((a): a is string => typeof a === 'string');
      const last = parts[parts.length - 1];
      const ecode = parts.length > 1 && last && /^[a-z_]+$/.test(last) ? last : null;
      const message = (ecode ? parts.slice(0, -1) : parts).join('; ') || JSON.stringify(args);
      return { errorType, message: unescapeGaneti(message), ecode };
    }
    if (typeof args === 'string') return { errorType, message: unescapeGaneti(args), ecode: null };
    return { errorType, message: JSON.stringify(args ?? null), ecode: null };
  }
  if (typeof result === 'string') return { errorType: 'Error', message: unescapeGaneti(result), ecode: null };
  return { errorType: 'Error', message: JSON.stringify(result ?? null), ecode: null };
}

/** Where a request went: what the messages name. */
export interface RapiTarget {
  cluster: string;
  host: string;
  port: number;
  user: string;
  timeoutSeconds: number;
}

/** An HTTP answer other than 200: Ganeti's JSON error body ({code, message, explain}) or a proxy's page. */
export function httpError(
  t: RapiTarget,
  status: number,
  text: string,
  path: string,
  method: string,
  cause?: unknown,
): RapiError {
  let code = status;
  let message = '';
  let explain = '';
  let ganetiMessage: string | undefined;
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown; explain?: unknown };
    if (typeof body.code === 'number') code = body.code;
    if (typeof body.message === 'string') message = ganetiMessage = unescapeGaneti(body.message);
    if (typeof body.explain === 'string') explain = unescapeGaneti(body.explain);
  } catch {
    message = text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 200);
  }
  const where = `${t.cluster}: ${method} /${path}`;
  const details = { status, code, explain, path, ganetiMessage };
  const options = cause === undefined ? undefined : { cause };
  // Ganeti's messages quote what it was sent (names, tags): shown, they must not steer the terminal.
  const ganeti = message ? `: ${safeText(message, 500)}` : '';
  const make = (kind: RapiErrorKind, text: string, hint: string) =>
    new RapiError(kind, t.cluster, text, hint, details, options);
  switch (status) {
    case 401:
      return make(
        'auth',
        `${where}: authentication failed (401)`,
        `check the RAPI user "${t.user}" and its password for "${t.cluster}" (clusters[].user; Ganeti's users file /var/lib/ganeti/rapi/users)`,
      );
    case 403:
      return make(
        'forbidden',
        `${where}: forbidden (403) — the RAPI user "${t.user}" has no write right`,
        `give the user the "write" option in /var/lib/ganeti/rapi/users, or use a user that has it`,
      );
    case 404:
      return make(
        'not-found',
        `${where}: not found (404)${ganeti && message !== 'Not Found' ? ganeti : ''}`,
        'check the node or instance name (`nodevac nodes`)',
      );
    case 400:
    case 415:
      return make(
        'bad-request',
        `${where}: rejected (${status})${ganeti}`,
        'Ganeti refused the request as sent; this is a nodevac bug or an unsupported Ganeti version',
      );
    case 502:
    case 503:
    case 504:
      return make(
        'unavailable',
        `${where}: Ganeti unavailable (${status})${ganeti}`,
        status === 503
          ? 'the job queue is drained or full: `gnt-cluster queue info` on the master'
          : 'the RAPI cannot reach the master daemon; check the master (`gnt-cluster verify`)',
      );
    default:
      return make(
        'server',
        `${where}: Ganeti error (${status})${ganeti}`,
        'see the RAPI log on the master (/var/log/ganeti/rapi-daemon.log)',
      );
  }
}

/** An answer that is not what Ganeti sends (not JSON, the wrong shape, too large). */
export function protocolError(t: RapiTarget, path: string, what: string, cause?: unknown): RapiError {
  return new RapiError(
    'protocol',
    t.cluster,
    `${t.cluster}: unexpected answer from /${path}: ${what}`,
    `is ${t.host}:${t.port} really a Ganeti RAPI (Ganeti ≥ 2.5)?`,
    { path },
    cause === undefined ? undefined : { cause },
  );
}

/** The server's certificate is not the pinned one. */
export function tlsPinError(t: RapiTarget, actual: string, expected: string, path: string, cause?: unknown): RapiError {
  return new RapiError(
    'tls',
    t.cluster,
    `${t.cluster} (${t.host}:${t.port}): TLS certificate mismatch: the server presents sha256:${actual}, the configuration pins sha256:${expected}`,
    `if the cluster's certificate was renewed, check sha256:${actual} on the master (openssl x509 -noout -fingerprint -sha256 -in /var/lib/ganeti/rapi.pem) and update clusters[].tls.fingerprint`,
    { path, fingerprint: actual },
    cause === undefined ? undefined : { cause },
  );
}

/** Node's TLS error codes for a certificate that does not verify. */
export function isCertificateCode(code: string): boolean {
  return /CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
}

/** The server's certificate does not verify against the CA; `fingerprint` is what it presents, when it could be read. */
export function tlsUntrustedError(
  t: RapiTarget,
  failure: { code: string; message: string },
  fingerprint: string | null,
  path: string,
  cause?: unknown,
): RapiError {
  return new RapiError(
    'tls',
    t.cluster,
    `${t.cluster} (${t.host}:${t.port}): TLS certificate not trusted (${failure.code}: ${safeText(failure.message, 300)})${fingerprint ? `; it presents sha256:${fingerprint}` : ''}`,
    `Ganeti's own RAPI certificate has no subjectAltName, so hostname checks fail against a CA: pin its fingerprint instead ("tls": {"fingerprint": "sha256:${fingerprint ?? '…'}"}) after checking it on the master`,
    { path, fingerprint: fingerprint ?? undefined },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * A request that got no HTTP answer: timed out, a name that does not resolve, nothing listening, or a connection
 * lost after the request may have been sent (details.code -1: "outcome unknown", see submit.ts).
 */
export function connectionError(
  t: RapiTarget,
  failure: { code?: string; name?: string; message: string },
  path: string,
  method: string,
  cause?: unknown,
): RapiError {
  const where = `${t.cluster} (${t.host}:${t.port})`;
  const code = failure.code ?? '';
  const options = cause === undefined ? undefined : { cause };
  if (code === 'ETIMEDOUT' || failure.name === 'TimeoutError') {
    return new RapiError(
      'timeout',
      t.cluster,
      `${where}: no answer within ${t.timeoutSeconds} s (${method} /${path})`,
      'the RAPI daemon or the master is overloaded or unreachable; check `gnt-cluster getmaster` and the network',
      { path },
      options,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new RapiError(
      'refused',
      t.cluster,
      `${where}: the host name does not resolve (${code})`,
      `check clusters[].host for "${t.cluster}" and DNS`,
      { path },
      options,
    );
  }
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new RapiError(
      'refused',
      t.cluster,
      `${where}: connection refused (${code})`,
      'is ganeti-rapi running on the master, and is port 5080 open from here?',
      { path },
      options,
    );
  }
  return new RapiError(
    'refused',
    t.cluster,
    `${where}: connection lost (${code || safeText(failure.message, 300)})`,
    'the RAPI closed the connection before answering',
    { path, code: -1 },
    options,
  );
}

/** A name refused before anything is sent: it could escape the URL path. */
export function invalidNameError(quoted: string): RapiError {
  return new RapiError(
    'bad-request',
    '',
    `not a valid Ganeti name: ${quoted}`,
    'node and instance names are host names: letters, digits, dots, hyphens',
  );
}
