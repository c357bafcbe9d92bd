import { describe, expect, it } from 'vitest';
import { whyProblem } from './why.js';

describe('whyProblem', () => {
  it('takes plain text within the limits, and a ticket id without spaces', () => {
    expect(whyProblem('reason', 'disk replacement')).toBeNull();
    expect(whyProblem('ticket', 'CHG-1234')).toBeNull();
  });
  it('refuses control characters, text over the limit, and a ticket with spaces', () => {
    expect(whyProblem('reason', 'disk\u001b[2J')).toBe('control');
    expect(whyProblem('reason', 'x'.repeat(501))).toBe('too-long');
    expect(whyProblem('ticket', 'x'.repeat(101))).toBe('too-long');
    expect(whyProblem('ticket', 'T 1')).toBe('spaces');
  });
});
