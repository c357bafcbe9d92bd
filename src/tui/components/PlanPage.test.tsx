// The plan view from plain props: blockers with their fix, options, steps, and each stage's last line.
import { describe, expect, it } from 'vitest';
import { plan } from '../testing/fixtures.js';
import { frameOf, renderWithProviders } from '../testing/render.js';
import { PlanPage, type PlanPageProps } from './PlanPage.js';

const nothing = () => undefined;
const base: PlanPageProps = {
  kind: 'evacuate',
  cluster: 'small',
  node: 'node2.small.example.org',
  plan: plan(),
  options: {},
  planning: false,
  loading: false,
  stage: 'review',
  typed: '',
  onType: nothing,
  onConfirm: nothing,
  onCancelConfirm: nothing,
};

describe('PlanPage', () => {
  it('the node, the options as boxes, the instances and steps; enter to start', () => {
    const f = frameOf(<PlanPage {...base} options={{ powerOff: true }} />, { columns: 120, rows: 40 });
    expect(f).toContain('Evacuate node2.small.example.org (small)');
    expect(f).toContain('role master-candidate · address 192.0.2.2 · BMC node2-bmc.small.sim');
    expect(f).toContain('[x] p power off   [ ] f full evacuation');
    expect(f).toMatch(/db1\.small\.example\.org\s+pri\s+drbd\s+running\s+migrate → node4/);
    expect(f).toContain(' 3. Move the primary instances');
    expect(f).toContain('enter to start: you will type the node name to confirm');
  });

  it('blocked: the blocker in words with its fix, and nothing can start', () => {
    const blocked = plan({
      blockers: [{ code: 'read-only', message: 'cluster small is read-only', fix: 'use another' }],
    });
    const f = frameOf(<PlanPage {...base} plan={blocked} planning />);
    expect(f).toContain('re-planning…');
    expect(f).toContain('✗ BLOCKED: cluster small is read-only');
    expect(f).toContain('fix: use another');
    expect(f).toContain('blocked: nothing can start until the blockers are fixed');
  });

  it('confirm: the prompt asks for the short name; starting says so; a refusal is a banner', () => {
    const r = renderWithProviders(<PlanPage {...base} stage="confirm" typed="node" />);
    expect(r.frame()).toContain('Type node2 to evacuate it: node');
    r.rerender(<PlanPage {...base} stage="starting" failure={{ message: 'node2 is locked', hint: 'press w' }} />);
    expect(r.frame()).toContain('starting…');
    expect(r.frame()).toMatch(/✗ node2 is locked\n {2}→ press w/);
    r.unmount();
  });

  it('confirm: the reason and the ticket above the name, the active one typed into; required says so', () => {
    const r = renderWithProviders(
      <PlanPage {...base} stage="confirm" field="ticket" typed="CHG-" reason="disk swap" reasonRequired />,
    );
    let f = r.frame();
    expect(f).toContain('Reason (required): disk swap');
    expect(f).toContain('Ticket (optional): CHG-');
    expect(f).toMatch(/Type node2 to evacuate it: *$/);
    r.rerender(<PlanPage {...base} stage="confirm" field="name" typed="no" ticket="T1" />);
    f = r.frame();
    expect(f).toContain('Reason (optional): (none: tab to give one)');
    expect(f).toContain('Ticket (optional): T1');
    expect(f).toContain('Type node2 to evacuate it: no');
    r.unmount();
  });

  it('an instance move: the instance in the title with its node, its short name typed to confirm', () => {
    const move = plan({ kind: 'migrate', options: { ...plan().options, instance: 'db1.small.example.org' } });
    const r = renderWithProviders(<PlanPage {...base} kind="migrate" plan={move} />, { columns: 120 });
    expect(r.frame()).toContain('Migrate db1.small.example.org (on node2.small.example.org, small)');
    expect(r.frame()).toContain('enter to start: you will type the instance name to confirm');
    r.rerender(<PlanPage {...base} kind="migrate" plan={move} stage="confirm" />);
    expect(r.frame()).toContain('Type db1 to migrate it:');
    r.unmount();
  });
});
