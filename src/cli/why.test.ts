// --reason, --ticket, --no-downtime and requireReason: plain text through, everything else a usage error (exit 2).
import { describe, expect, it } from 'vitest';
import { EXIT } from './exit.js';
import { requireReason, whyOptions } from './why.js';

describe('whyOptions', () => {
  it('passes plain text through, trimmed, and --no-downtime as noDowntime', () => {
    expect(whyOptions({ reason: ' disk swap ', ticket: 'T1', downtime: false })).toEqual({
      reason: 'disk swap',
      ticket: 'T1',
      noDowntime: true,
    });
    expect(whyOptions({ downtime: true })).toEqual({});
  });

  it('refuses control characters, empty text and a ticket with spaces, naming the option', () => {
    expect(() => whyOptions({ reason: 'x\u001b[2Jy' })).toThrow(/^--reason .*: control characters are not allowed$/);
    expect(() => whyOptions({ reason: '  ' })).toThrow('--reason: empty');
    expect(() => whyOptions({ ticket: 'T 1' })).toThrow('a ticket id has no spaces');
    expect(() => whyOptions({ reason: 'x'.repeat(501) })).toThrow('--reason: longer than 500 characters');
  });
});

describe('requireReason', () => {
  it('exits 2 with what to add when the configuration requires a reason', () => {
    expect(() => requireReason(true, {}, 'evacuate node3')).toThrow(
      expect.objectContaining({
        exitCode: EXIT.usage,
        message: 'evacuate node3: a reason is required ("requireReason": true in the configuration)',
      }),
    );
    expect(() => requireReason(true, { reason: 'disk swap' }, 'evacuate node3')).not.toThrow();
    expect(() => requireReason(false, {}, 'evacuate node3')).not.toThrow();
  });
});
