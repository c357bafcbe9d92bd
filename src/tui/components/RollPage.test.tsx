// The roll view from plain props: groups with each node's state and step, the left-out nodes and why, a node
// awaiting confirmation, the final report, the questions.
import { describe, expect, it } from 'vitest';
import { rollJob } from '../testing/fixtures.js';
import { frameOf, renderWithProviders } from '../testing/render.js';
import { RollPage, rollSummary } from './RollPage.js';

const nothing = () => undefined;

describe('RollPage', () => {
  it('running: the groups, the node running with its step and job, the waiting ones, the master left out', () => {
    const job = rollJob({ reason: 'kernel 6.1', ticket: 'CHG-9' });
    const f = frameOf(<RollPage id={job.id} job={job} onAnswer={nothing} />, { columns: 120, rows: 30 });
    expect(f).toContain('Roll r0115a1e · small · reboot · 1 at a time · stops after 1 failed');
    expect(f).toContain('by alice@jump1 · started 19:37:05 UTC');
    expect(f).toContain('reason: kernel 6.1 · ticket CHG-9');
    expect(f).toContain('Group 1 of 3 · 1/1 done');
    expect(f).toContain('  ✓ node2 done (job c0000002)');
    expect(f).toContain('Group 2 of 3 · 0/1 done ◀ now');
    expect(f).toContain('  ▶ node3 running (job c0000003) — Power off node3 through its BMC node3-bmc.small.sim');
    expect(f).toContain('  · node4 waiting');
    expect(f).toContain('Left out (1)');
    expect(f).toMatch(/ {2}- node1: the master cannot be evacuated through the RAPI: gnt-cluster master-failover/);
    expect(f).not.toContain('Report:');
    expect(f).toMatch(/RUNNING · 1 done · 1 running · 1 waiting · 1 left out · \S+$/);
  });

  it('--poweroff-and-wait: the node powered off says what to press; the continue question names it', () => {
    const job = rollJob(
      {},
      {
        mode: 'poweroff-and-wait',
        nodes: [
          {
            node: 'node2.small.example.org',
            state: 'awaiting-confirmation',
            group: 0,
            job: 'c0000002',
            step: 'Wait for confirmation',
          },
          { node: 'node3.small.example.org', state: 'waiting', group: 1 },
          { node: 'node4.small.example.org', state: 'waiting', group: 2 },
        ],
        group: 0,
      },
    );
    const r = renderWithProviders(<RollPage id={job.id} job={job} onAnswer={nothing} />, { columns: 120, rows: 30 });
    let f = r.frame();
    expect(f).toContain('power off and wait · 1 at a time');
    expect(f).toContain('⏸ node2 powered off, waiting for you: o powers on and returns (or nodevac continue r0115a1e)');
    expect(f).toContain('  ⏸ node2 POWERED OFF, awaiting confirmation (job c0000002) — Wait for confirmation');
    r.rerender(<RollPage id={job.id} job={job} ask="continue" onAnswer={nothing} />);
    f = r.frame();
    expect(f).toContain('? Power on and return node2 (the hardware work is done)? [y/n]');
    r.unmount();
  });

  it('ended: the report of done, failed and untouched nodes with why; the summary', () => {
    const job = rollJob(
      {
        state: 'failed',
        error: '1 node failed (--max-failed 1): the roll stopped',
        updatedAt: '2026-11-24T19:52:05.000Z',
      },
      {
        nodes: [
          { node: 'node2.small.example.org', state: 'done', group: 0, job: 'c0000002' },
          {
            node: 'node3.small.example.org',
            state: 'failed',
            group: 1,
            job: 'c0000003',
            reason: 'proof of reboot: the boot ID did not change',
          },
          {
            node: 'node4.small.example.org',
            state: 'untouched',
            group: 2,
            reason: 'the roll stopped after 1 failed node',
          },
        ],
      },
    );
    const f = frameOf(<RollPage id={job.id} job={job} onAnswer={nothing} />, { columns: 120, rows: 40 });
    expect(f).not.toContain('◀ now');
    expect(f).toContain('Report: 1 done · 1 failed · 1 untouched · 1 left out');
    expect(f).toContain('  ✗ node3 FAILED: proof of reboot: the boot ID did not change');
    expect(f).toContain('  – node4 untouched: the roll stopped after 1 failed node');
    expect(rollSummary(job)).toBe(
      'FAILED: 1 node failed (--max-failed 1): the roll stopped · 1 done · 1 failed · 1 untouched · 1 left out · 15m00s',
    );
  });

  it('loading, and a question to cancel', () => {
    const r = renderWithProviders(<RollPage id="r0115a1e" onAnswer={nothing} />);
    expect(r.frame()).toContain('Roll r0115a1e · loading…');
    expect(r.frame()).toContain('waiting for the job record…');
    r.rerender(<RollPage id="r0115a1e" job={rollJob()} ask="cancel" onAnswer={nothing} />);
    expect(r.frame()).toContain('? Cancel roll r0115a1e? The running nodes finish; no other node starts. [y/n]');
    r.unmount();
  });
});
