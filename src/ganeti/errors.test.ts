import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  connectionError,
  describeOpError,
  httpError,
  invalidNameError,
  isCertificateCode,
  protocolError,
  RapiError,
  tlsPinError,
  tlsUntrustedError,
  unescapeGaneti,
  type RapiTarget,
} from './errors.js';
import type { RapiErrorBody } from './types.js';

// A recorded answer's body (test/fixtures/rapi/<id>-*.json), read as data: src tests import nothing from test/.
const FIXTURES = new URL('../../test/fixtures/rapi/', import.meta.url);
function body<T>(id: string): T {
  const file = readdirSync(FIXTURES).find((f) => f.startsWith(`${id}-`));
  if (!file) throw new Error(`no fixture ${id}`);
  return (JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as { response: { body: T } }).response.body;
}

describe('unescapeGaneti', () => {
  it("undoes Python's html.escape", () => {
    expect(unescapeGaneti('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#x27;s&lt;/a&gt; &#39;q&#39;')).toBe(
      `<a href="x">Tom & Jerry's</a> 'q'`,
    );
  });

  it('unescapes once: an escaped ampersand stays an entity', () => {
    expect(unescapeGaneti('&amp;lt;')).toBe('&lt;');
  });

  it('leaves other entities and plain text alone', () => {
    expect(unescapeGaneti('&nbsp; &#65; 5 & 6')).toBe('&nbsp; &#65; 5 & 6');
  });

  it('recorded messages (fixtures 017, 045, 065)', () => {
    expect(unescapeGaneti(body<RapiErrorBody>('017').message)).toBe(
      "('Node name nosuchnode.ganeti.test not found', 'unknown_entity')",
    );
    expect(unescapeGaneti(body<RapiErrorBody>('045').message)).toBe(
      `Invalid body parameters: ("Parameter 'OP_NODE_EVACUATE.mode' fails validation", 'wrong_input')`,
    );
    expect(unescapeGaneti(body<RapiErrorBody>('065').message)).toBe("Can't set 'bogus' role");
  });
});

describe('describeOpError', () => {
  it('[ErrorType, [message, ecode]] (fixture 058)', () => {
    const opresult = body<{ opresult: unknown[] }>('058').opresult;
    expect(describeOpError(opresult[0])).toEqual({
      errorType: 'OpPrereqError',
      message: 'The master role can be changed only via master-failover',
      ecode: 'wrong_input',
    });
  });

  it('[ErrorType, [message]] without an ecode (fixture 080)', () => {
    const opresult = body<{ opresult: unknown[] }>('080').opresult;
    const d = describeOpError(opresult[0]);
    expect(d.errorType).toBe('OpExecError');
    expect(d.ecode).toBeNull();
    expect(d.message).toMatch(/^Can't get data for node node2\.ganeti\.test: Error 7/);
  });

  it('several message parts are joined; the escaped text is unescaped', () => {
    expect(
      describeOpError(['OpPrereqError', ['Instance &#x27;vm1&#x27; is down', 'try failover', 'wrong_state']]),
    ).toEqual({
      errorType: 'OpPrereqError',
      message: "Instance 'vm1' is down; try failover",
      ecode: 'wrong_state',
    });
  });

  it('[ErrorType, message], a bare string, and shapes Ganeti does not send', () => {
    expect(describeOpError(['OpExecError', 'disk &amp; network'])).toEqual({
      errorType: 'OpExecError',
      message: 'disk & network',
      ecode: null,
    });
    expect(describeOpError('plain failure')).toEqual({ errorType: 'Error', message: 'plain failure', ecode: null });
    expect(describeOpError(null)).toEqual({ errorType: 'Error', message: 'null', ecode: null });
    expect(describeOpError(undefined)).toEqual({ errorType: 'Error', message: 'null', ecode: null });
    expect(describeOpError({ odd: 1 })).toEqual({ errorType: 'Error', message: '{"odd":1}', ecode: null });
    expect(describeOpError(['OpExecError', [42]])).toEqual({ errorType: 'OpExecError', message: '[42]', ecode: null });
    expect(describeOpError(['OpExecError', { a: 1 }])).toEqual({
      errorType: 'OpExecError',
      message: '{"a":1}',
      ecode: null,
    });
  });

  it('what Ganeti quotes back (a name with escapes, a huge one) is shown safely', () => {
    expect(describeOpError(['OpPrereqError', ['Node name \u001b[2J\u202enode2 not found', 'unknown_entity']])).toEqual({
      errorType: 'OpPrereqError',
      message: 'Node name \\x1b[2J\\u202enode2 not found',
      ecode: 'unknown_entity',
    });
    const long = describeOpError([
      'OpPrereqError',
      [`Node name ${'n'.repeat(10_000)} not found`, 'unknown_entity'],
    ]).message;
    expect(long).toBe(`Node name ${'n'.repeat(100)}… (10000 characters) not found`);
  });
});

describe('RapiError', () => {
  it('transient kinds are the ones worth retrying', () => {
    const kinds = [
      'auth',
      'forbidden',
      'not-found',
      'bad-request',
      'unavailable',
      'server',
      'tls',
      'refused',
      'timeout',
      'protocol',
      'lost',
    ] as const;
    expect(kinds.filter((k) => new RapiError(k, 'c', 'm', 'h').transient)).toEqual([
      'unavailable',
      'refused',
      'timeout',
    ]);
  });
});

const T: RapiTarget = { cluster: 'lab', host: 'rapi.example', port: 5080, user: 'nodevac', timeoutSeconds: 30 };

describe('httpError', () => {
  it("maps statuses to kinds, with Ganeti's message unescaped and its fields in details (fixture 017)", () => {
    const text = JSON.stringify(body<RapiErrorBody>('017'));
    const err = httpError(T, 400, text, '2/nodes/nosuchnode.ganeti.test', 'GET');
    expect(err.kind).toBe('bad-request');
    expect(err.message).toBe(
      "lab: GET /2/nodes/nosuchnode.ganeti.test: rejected (400): ('Node name nosuchnode.ganeti.test not found', 'unknown_entity')",
    );
    expect(err.details.ganetiMessage).toBe("('Node name nosuchnode.ganeti.test not found', 'unknown_entity')");
    expect(err.details.status).toBe(400);
    const kinds = [401, 403, 404, 415, 500, 502, 503, 504, 418].map((s) => httpError(T, s, '', 'x', 'GET').kind);
    expect(kinds).toEqual([
      'auth',
      'forbidden',
      'not-found',
      'bad-request',
      'server',
      'unavailable',
      'unavailable',
      'unavailable',
      'server',
    ]);
  });

  it('names the user on 401/403 and the queue on 503; a proxy page is reduced to its text', () => {
    expect(httpError(T, 401, '', '2/info', 'GET').hint).toContain('"nodevac"');
    expect(httpError(T, 403, '', '2/info', 'PUT').message).toBe(
      'lab: PUT /2/info: forbidden (403) — the RAPI user "nodevac" has no write right',
    );
    expect(httpError(T, 503, '{"message":"Job queue is full"}', 'x', 'PUT').hint).toMatch(/queue is drained or full/);
    expect(httpError(T, 502, '<html><b>Bad</b>  gateway</html>', 'x', 'GET').message).toBe(
      'lab: GET /x: Ganeti unavailable (502): Bad gateway',
    );
  });

  it('a 404 does not repeat "Not Found"; a hostile message is made safe to show', () => {
    expect(httpError(T, 404, '{"message":"Not Found"}', 'x', 'GET').message).toBe('lab: GET /x: not found (404)');
    expect(httpError(T, 500, JSON.stringify({ message: 'boom \u001b[2J' }), 'x', 'GET').message).toBe(
      'lab: GET /x: Ganeti error (500): boom \\x1b[2J',
    );
  });

  it('keeps the cause', () => {
    const cause = new Error('from got');
    expect(httpError(T, 500, '', 'x', 'GET', cause).cause).toBe(cause);
    expect(httpError(T, 500, '', 'x', 'GET').cause).toBeUndefined();
  });
});

describe('connectionError', () => {
  it('a timeout, an unknown host, nothing listening, and a lost connection (outcome unknown: code -1)', () => {
    const cause = new Error('socket');
    const timeout = connectionError(T, { code: 'ETIMEDOUT', message: 'x' }, '2/info', 'GET', cause);
    expect([timeout.kind, timeout.message, timeout.cause]).toEqual([
      'timeout',
      'lab (rapi.example:5080): no answer within 30 s (GET /2/info)',
      cause,
    ]);
    expect(connectionError(T, { name: 'TimeoutError', message: 'x' }, 'p', 'GET').kind).toBe('timeout');
    const dns = connectionError(T, { code: 'ENOTFOUND', message: 'x' }, 'p', 'GET');
    expect([dns.kind, dns.message]).toEqual([
      'refused',
      'lab (rapi.example:5080): the host name does not resolve (ENOTFOUND)',
    ]);
    const refused = connectionError(T, { code: 'ECONNREFUSED', message: 'x' }, 'p', 'GET');
    expect([refused.kind, refused.details.code]).toEqual(['refused', undefined]);
    const lost = connectionError(T, { code: 'ECONNRESET', message: 'x' }, 'p', 'PUT');
    expect([lost.kind, lost.message, lost.details.code]).toEqual([
      'refused',
      'lab (rapi.example:5080): connection lost (ECONNRESET)',
      -1,
    ]);
    expect(connectionError(T, { message: 'socket hang up' }, 'p', 'PUT').message).toBe(
      'lab (rapi.example:5080): connection lost (socket hang up)',
    );
  });
});

describe('TLS, protocol and name errors', () => {
  it('a pinned certificate that differs names both fingerprints', () => {
    const err = tlsPinError(T, 'AA:BB', 'CC:DD', '2/info');
    expect(err.kind).toBe('tls');
    expect(err.message).toBe(
      'lab (rapi.example:5080): TLS certificate mismatch: the server presents sha256:AA:BB, the configuration pins sha256:CC:DD',
    );
    expect(err.details.fingerprint).toBe('AA:BB');
  });

  it('an untrusted certificate offers the fingerprint to pin, when it could be read', () => {
    const failure = { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' };
    expect(isCertificateCode(failure.code)).toBe(true);
    expect(isCertificateCode('ECONNRESET')).toBe(false);
    expect(tlsUntrustedError(T, failure, 'AA:BB', 'p').message).toBe(
      'lab (rapi.example:5080): TLS certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate); it presents sha256:AA:BB',
    );
    expect(tlsUntrustedError(T, failure, null, 'p').hint).toContain('"sha256:…"');
  });

  it('an answer Ganeti never sends, and a name that could escape the path', () => {
    const cause = new SyntaxError('bad json');
    const err = protocolError(T, '2/info', 'the answer is not JSON (3 bytes)', cause);
    expect([err.kind, err.message, err.hint, err.cause]).toEqual([
      'protocol',
      'lab: unexpected answer from /2/info: the answer is not JSON (3 bytes)',
      'is rapi.example:5080 really a Ganeti RAPI (Ganeti ≥ 2.5)?',
      cause,
    ]);
    expect(invalidNameError('"a/b"').message).toBe('not a valid Ganeti name: "a/b"');
    expect(invalidNameError('"a/b"').kind).toBe('bad-request');
  });
});
