// The confirmation's reason and ticket: the CLI's rules for --reason and --ticket.
import { describe, expect, it } from 'vitest';
import { checkWhy } from './why.js';

describe('checkWhy', () => {
  it('trims; an empty reason is fine unless the configuration requires one', () => {
    expect(checkWhy('reason', '  disk swap ', false)).toEqual({ value: 'disk swap' });
    expect(checkWhy('reason', '', false)).toEqual({ value: '' });
    expect(checkWhy('reason', '  ', true)).toEqual({
      error: 'a reason is required ("requireReason": true in the configuration): say why, e.g. disk replacement',
    });
  });

  it('refuses a ticket with spaces and over-long text', () => {
    expect(checkWhy('ticket', ' T1 ', true)).toEqual({ value: 'T1' });
    expect(checkWhy('ticket', 'T 1', false)).toEqual({
      error: 'ticket "T 1": a ticket id has no spaces, e.g. T1 or CHG-1234',
    });
    expect(checkWhy('reason', 'x'.repeat(501), false)).toEqual({
      error: 'the reason is longer than 500 characters: say it shorter',
    });
    expect(checkWhy('ticket', 'x'.repeat(101), false)).toEqual({ error: 'the ticket is longer than 100 characters' });
  });
});
