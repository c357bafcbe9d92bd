import { hostname, userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { currentOperator, describeOperator } from './operator.js';

const me = userInfo().username;

describe('currentOperator', () => {
  it('"ssh": the OS user and the address of the SSH client', () => {
    expect(currentOperator({ operator: { from: 'ssh' } }, { SSH_CLIENT: '10.0.0.7 51234 22' })).toEqual({
      name: me,
      user: me,
      from: '10.0.0.7',
      host: hostname(),
    });
  });

  it('"ssh": SSH_CONNECTION when SSH_CLIENT is absent; IPv6 addresses whole', () => {
    expect(
      currentOperator({ operator: { from: 'ssh' } }, { SSH_CONNECTION: '2001:db8::7 51234 2001:db8::1 22' }).from,
    ).toBe('2001:db8::7');
  });

  it('"ssh" on a local terminal: no address', () => {
    expect(currentOperator({ operator: { from: 'ssh' } }, {}).from).toBeNull();
  });

  it('"os": the OS user, the SSH address ignored', () => {
    expect(currentOperator({ operator: { from: 'os' } }, { SSH_CLIENT: '10.0.0.7 51234 22' })).toEqual({
      name: me,
      user: me,
      from: null,
      host: hostname(),
    });
  });

  it('"fixed": the configured name, the OS user kept', () => {
    expect(
      currentOperator({ operator: { from: 'fixed', name: 'noc-desk' } }, { SSH_CLIENT: '10.0.0.7 1 22' }),
    ).toMatchObject({ name: 'noc-desk', user: me, from: null });
  });

  it('a name is used only with "fixed"', () => {
    expect(currentOperator({ operator: { from: 'ssh', name: 'noc-desk' } }, {}).name).toBe(me);
  });
});

describe('describeOperator', () => {
  it('names the address, or else the host', () => {
    expect(describeOperator({ name: 'alice', user: 'alice', from: '10.0.0.7', host: 'jump1' })).toBe(
      'alice (ssh from 10.0.0.7)',
    );
    expect(describeOperator({ name: 'alice', user: 'alice', from: null, host: 'jump1' })).toBe('alice (on jump1)');
  });
});
