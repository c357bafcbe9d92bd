// Typed monitoring failures. Each names the endpoint (the configuration field and the URL) and what to do.

export type MonitoringErrorKind =
  | 'auth' // 401: wrong user or password
  | 'forbidden' // 403, or an Icinga user without a needed permission
  | 'not-found' // the Icinga host of a node does not exist
  | 'bad-request' // 400 / 422: the server refused what was sent
  | 'server' // 5xx and other codes
  | 'tls' // certificate not trusted, or not the pinned one
  | 'unreachable' // nothing listens, the name does not resolve, no answer in time
  | 'protocol' // the answer is not what the API sends
  | 'config'; // a secret or CA file that cannot be read

export class MonitoringError extends Error {
  override readonly name = 'MonitoringError';
  constructor(
    readonly kind: MonitoringErrorKind,
    /** "monitoring.icinga (https://icinga:5665)" */
    readonly endpoint: string,
    message: string,
    readonly hint: string,
    readonly status?: number,
  ) {
    super(message);
  }

  /** A refusal that asking again will not change (as opposed to a server that could not be reached). */
  get refusing(): boolean {
    return this.kind === 'auth' || this.kind === 'forbidden' || this.kind === 'tls' || this.kind === 'config';
  }
}

/** Of several failures (one per Alertmanager), the one that says most: a refusal before an outage. */
export function mostTelling(errors: MonitoringError[]): MonitoringError {
  return errors.find((e) => e.refusing) ?? errors.find((e) => e.kind !== 'unreachable') ?? errors[0]!;
}
