// HTTP plumbing shared by the RAPI listeners and the control endpoint: one TLS certificate, connection
// counting, and Ganeti-style responses (Connection: close, Server: Ganeti 3.0.2, JSON error bodies).
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { htmlEscape, pyJson } from './json.js';

export interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** BaseHTTPRequestHandler.responses: (reason, explain) per status, as Ganeti's HTTP server uses them. */
const RESPONSES: Record<number, [string, string]> = {
  200: ['OK', 'Request fulfilled, document follows'],
  400: ['Bad Request', 'Bad request syntax or unsupported method'],
  401: ['Unauthorized', 'No permission -- see authorization schemes'],
  403: ['Forbidden', 'Request forbidden -- authorization will not help'],
  404: ['Not Found', 'Nothing matches the given URI'],
  415: ['Unsupported Media Type', 'Entity body in unsupported format'],
  500: ['Internal Server Error', 'Server got itself in trouble'],
  501: ['Not Implemented', 'Server does not support this operation'],
  502: ['Bad Gateway', 'Invalid responses from another server/proxy'],
  503: ['Service Unavailable', 'The server cannot process the request due to a high load'],
  504: ['Gateway Timeout', 'The gateway server did not receive a timely response'],
};

/** An HTTP error as Ganeti raises it (http.HttpException): the message defaults to the reason phrase. */
export class HttpError extends Error {
  constructor(
    readonly code: number,
    message?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? RESPONSES[code]?.[0] ?? 'Unknown');
  }
}

export function errorReply(err: HttpError): Reply {
  const explain = RESPONSES[err.code]?.[1] ?? 'Unknown';
  return {
    status: err.code,
    body: pyJson({ code: err.code, message: htmlEscape(err.message), explain }),
    headers: err.headers,
  };
}

export function jsonReply(body: string): Reply {
  return { status: 200, body };
}

/** Writes a reply; like Ganeti's serializer.DumpJson, every body ends with a newline. */
export function send(res: ServerResponse, reply: Reply): void {
  if (res.writableEnded || res.destroyed) return;
  const body = Buffer.from(reply.body + '\n', 'utf8');
  res.statusCode = reply.status;
  res.statusMessage = RESPONSES[reply.status]?.[0] ?? '';
  res.setHeader('Content-Type', 'application/json');
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  res.setHeader('Connection', 'close');
  res.setHeader('Server', 'Ganeti 3.0.2');
  res.setHeader('Content-Length', String(body.length));
  res.shouldKeepAlive = false;
  res.end(body);
}

/** Reads a request body (bounded). */
export function readBody(req: IncomingMessage, limit = 4 << 20): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(400, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface Listener {
  port: number;
  /** Connections open now, and the most seen at once. */
  connections: { open: number; max: number };
  close(): Promise<void>;
}

/** An HTTPS listener on host:0 whose sockets are all tracked, so close() ends them. */
export async function listen(
  host: string,
  cert: { cert: string; key: string },
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  onConnection?: (socket: Socket) => boolean,
): Promise<Listener> {
  const server = https.createServer({ cert: cert.cert, key: cert.key }, handler);
  const sockets = new Set<Socket>();
  const connections = { open: 0, max: 0 };
  server.on('connection', (socket: Socket) => {
    if (onConnection !== undefined && !onConnection(socket)) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    connections.open++;
    connections.max = Math.max(connections.max, connections.open);
    socket.once('close', () => {
      sockets.delete(socket);
      connections.open--;
    });
  });
  // Handshake failures (e.g. a client rejecting the pinned certificate) are the client's business.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
