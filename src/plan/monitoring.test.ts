// withMonitoring: where the monitoring steps go in each kind of plan, and what the app's check turns into.
import { describe, expect, it } from 'vitest';
import { withMonitoring } from './monitoring.js';
import { planEvacuation, planPowerOff, planReturn } from './planner.js';
import { blocker, codes, mkNode, stepKinds, warningCodes, world } from './testing.js';

const READY = { problems: [], skip: false };
const offline = () =>
  world({
    nodes: [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true, drained: true }), mkNode('node3')],
  });

describe('withMonitoring', () => {
  it('silences before the offline step of an evacuation and of a power-off', () => {
    expect(stepKinds(withMonitoring(planEvacuation(world({ options: { powerOff: true } })), READY))).toEqual([
      'lock',
      'tag',
      'drain',
      'verify-empty',
      'silence',
      'offline',
      'power-off',
      'verify-off',
      'unlock',
    ]);
    expect(stepKinds(withMonitoring(planPowerOff(world()), READY))).toEqual([
      'lock',
      'silence',
      'offline',
      'power-off',
      'verify-off',
      'unlock',
    ]);
  });

  it('removes them in a return once the node is verified, just before untag; --no-return extends them', () => {
    const ret = withMonitoring(planReturn({ ...offline(), options: { ...offline().options, powerOn: true } }), READY);
    expect(stepKinds(ret)).toEqual([
      'lock',
      'power-on',
      'wait-ping',
      'de-offline',
      'undrain',
      'unsilence',
      'untag',
      'unlock',
    ]);
    const stay = withMonitoring(
      planReturn({ ...offline(), options: { ...offline().options, powerOn: true, returnToService: false } }),
      READY,
    );
    expect(stepKinds(stay)).toContain('extend-silence');
    expect(stepKinds(stay).indexOf('extend-silence')).toBeLessThan(stepKinds(stay).indexOf('power-on'));
  });

  it('adds nothing without monitoring, and leaves a plan that has no node going away or coming back alone', () => {
    expect(stepKinds(withMonitoring(planPowerOff(world()), undefined))).not.toContain('silence');
  });

  it('an endpoint that cannot take a downtime blocks, naming it and the way out', () => {
    const plan = withMonitoring(planPowerOff(world()), {
      problems: [{ message: 'monitoring.icinga (https://icinga:5665): connection refused', fix: 'start Icinga' }],
      skip: false,
    });
    expect(codes(plan)).toEqual(['monitoring']);
    expect(blocker(plan, 'monitoring')).toEqual({
      code: 'monitoring',
      message: 'monitoring.icinga (https://icinga:5665): connection refused',
      fix: 'start Icinga; or plan again with --no-downtime to go without (recorded in the audit)',
    });
  });

  it('--no-downtime: no step, no blocker, a warning that alerts will page', () => {
    const plan = withMonitoring(planPowerOff(world()), { problems: [{ message: 'x', fix: '' }], skip: true });
    expect(codes(plan)).toEqual([]);
    expect(stepKinds(plan)).not.toContain('silence');
    expect(warningCodes(plan)).toContain('no-downtime');
  });
});
