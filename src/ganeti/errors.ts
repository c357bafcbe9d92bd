// Typed RAPI failures. Each names the cluster and what to check.
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
  ) {
    super(message);
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
