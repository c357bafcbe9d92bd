import { describe, expect, it } from 'vitest';
import { body } from '../../test/helpers/fixtures.js';
import { RapiError, describeOpError, unescapeGaneti } from './errors.js';
import type { RapiErrorBody } from './types.js';

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
