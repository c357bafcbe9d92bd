import { describe, expect, it } from 'vitest';
import { bmcFromTags, isValidBmcHost, requireBmc } from '../../src/power/bmc.js';
import { PowerError } from '../../src/power/types.js';

function thrown(f: () => unknown): PowerError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(PowerError);
    return error as PowerError;
  }
  throw new Error('expected a PowerError');
}

describe('BMC host names', () => {
  it.each(['node3-bmc.ganeti.test', '127.0.1.3', 'fe80::1', '2001:db8::23', 'BMC-01', 'a'.repeat(253)])(
    'accepts %j',
    (host) => {
      expect(isValidBmcHost(host)).toBe(true);
    },
  );
  it.each(['', 'host;reboot', '-H', 'a b', 'x\ny', '$(id)', 'host/x', 'a'.repeat(254)])('rejects %j', (host) => {
    expect(isValidBmcHost(host)).toBe(false);
  });
});

describe('bmcFromTags', () => {
  it('returns the value of the ipmi: tag', () => {
    expect(bmcFromTags(['rack:a1', 'ipmi:node3-bmc.ganeti.test'])).toBe('node3-bmc.ganeti.test');
    expect(bmcFromTags(['bmc=10.0.0.3'], 'bmc=')).toBe('10.0.0.3');
  });

  it('returns null without a tag, or with an empty one', () => {
    expect(bmcFromTags([])).toBeNull();
    expect(bmcFromTags(['ipmi:', 'other'])).toBeNull();
  });

  it('refuses to choose between tags naming different BMCs', () => {
    expect(bmcFromTags(['ipmi:a.example', 'ipmi:a.example'])).toBe('a.example');
    const error = thrown(() => bmcFromTags(['ipmi:a.example', 'ipmi:b.example']));
    expect(error.kind).toBe('bad-bmc');
    expect(error.message).toContain('ipmi:a.example, ipmi:b.example');
  });
});

describe('requireBmc', () => {
  it('returns the validated BMC', () => {
    expect(requireBmc('node3.ganeti.test', ['ipmi:127.0.1.3'])).toBe('127.0.1.3');
  });

  it('names the tag to add when there is none', () => {
    const error = thrown(() => requireBmc('node3', ['rack:a1']));
    expect(error.kind).toBe('no-bmc-tag');
    expect(error.message).toContain('node3');
    expect(error.hint).toContain('gnt-node add-tags node3 ipmi:node3-bmc.example.org');
  });

  it('rejects a tag that is not a plain host', () => {
    const error = thrown(() => requireBmc('node3', ['ipmi:host;reboot']));
    expect(error.kind).toBe('bad-bmc');
    expect(error.message).toContain('"ipmi:host;reboot"');
    expect(error.hint).toContain('gnt-node remove-tags node3');
  });
});
