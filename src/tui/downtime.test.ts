// The downtime lines of the node and job screens.
import { describe, expect, it } from 'vitest';
import { job, T0 } from './testing/fixtures.js';
import { downtimeActive, downtimeText, jobDowntimeLines } from './downtime.js';

const now = Date.parse(T0);
const later = '2026-11-24T21:37:05.000Z';
const downtime = {
  node: 'node2.small.example.org',
  icingaDowntime: 'node2!nodevac-1',
  silenceId: 's-42',
  endsAt: later,
};

describe('downtime', () => {
  it('active until its end; none made is none', () => {
    expect(downtimeActive(downtime, now)).toBe(true);
    expect(downtimeActive(downtime, Date.parse(later) + 1)).toBe(false);
    expect(downtimeActive({ node: 'n' }, now)).toBe(false);
    expect(downtimeActive(undefined, now)).toBe(false);
    expect(downtimeText(downtime)).toBe(
      'Icinga downtime node2!nodevac-1 · Alertmanager silence s-42 · until 2026-11-24 21:37 UTC',
    );
  });

  it('the job line: running, kept by a failed job with the command that removes it, over', () => {
    expect(jobDowntimeLines(job({ downtime }), now)).toEqual([
      '⊘ monitoring silenced: Icinga downtime node2!nodevac-1 · Alertmanager silence s-42 · until 2026-11-24 21:37 UTC',
    ]);
    expect(jobDowntimeLines(job({ downtime, state: 'failed' }), now)[1]).toBe(
      'kept by the job: nodevac unsilence node2 removes it once the node is checked',
    );
    expect(jobDowntimeLines(job({ downtime: { ...downtime, silenceId: undefined } }), Date.parse(later) + 1)).toEqual([
      '⊘ monitoring silenced: Icinga downtime node2!nodevac-1 · until 2026-11-24 21:37 UTC (over)',
    ]);
    expect(jobDowntimeLines(job(), now)).toEqual([]);
  });
});
