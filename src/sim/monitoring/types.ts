// What a simulated monitoring endpoint is given and answers: a parsed request, a status, a body and headers.

export interface SimRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body. */
  body: string;
}

export interface SimReply {
  status: number;
  /** Sent as is. */
  body: string;
  contentType: string;
}

export const json = (status: number, value: unknown): SimReply => ({
  status,
  body: JSON.stringify(value),
  contentType: 'application/json',
});

/** The user and password of a Basic authorization header, if any. */
export function basicAuth(headers: SimRequest['headers']): { user: string; password: string } | undefined {
  const h = headers.authorization;
  const m = typeof h === 'string' ? /^Basic\s+(\S+)$/i.exec(h) : null;
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : { user: text.slice(0, i), password: text.slice(i + 1) };
}
