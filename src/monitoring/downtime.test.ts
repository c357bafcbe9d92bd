// The window of a downtime and what a failed job says it keeps.
import { describe, expect, it } from 'vitest';
import { downtimeWindow, keptNotice } from './downtime.js';

const start = new Date('2030-01-01T00:00:00Z');

describe('downtimeWindow', () => {
  it("covers the plan's deadlines and a margin, unless a length is configured", () => {
    expect(downtimeWindow(start, { planSeconds: 3600 }).end.toISOString()).toBe('2030-01-01T01:30:00.000Z');
    expect(downtimeWindow(start, { planSeconds: 3600, marginSeconds: 0 }).end.toISOString()).toBe(
      '2030-01-01T01:00:00.000Z',
    );
    expect(downtimeWindow(start, { planSeconds: 3600, downtimeMinutes: 120 }).end.toISOString()).toBe(
      '2030-01-01T02:00:00.000Z',
    );
  });

  it('is never shorter than a minute', () => {
    expect(downtimeWindow(start, { planSeconds: 0, marginSeconds: 0 }).end.toISOString()).toBe(
      '2030-01-01T00:01:00.000Z',
    );
  });
});

describe('keptNotice', () => {
  it('names what stays, until when, and the command that removes it', () => {
    expect(
      keptNotice(
        { node: 'node3', icingaDowntime: 'node3!abc', silenceId: 's-1', endsAt: '2030-01-01T02:00:00.000Z' },
        'nodevac downtime remove node3 --job J1',
      ),
    ).toBe(
      'kept for node3: Icinga downtime node3!abc and Alertmanager silence s-1 (until 2030-01-01T02:00:00.000Z); once the node is checked, remove them with: nodevac downtime remove node3 --job J1',
    );
    expect(keptNotice({ node: 'node3' }, 'x')).toBeUndefined();
  });
});
