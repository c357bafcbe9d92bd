// The help page is the key table: the same lines the hand-written help had, the bindings the screens match.
import { describe, expect, it } from 'vitest';
import { actionFor, helpSections, KEYS, pressed } from './keymap.js';

describe('the key table', () => {
  it('gives the help its sections and lines', () => {
    expect(helpSections()).toEqual([
      [
        'Everywhere',
        [
          ['↑ ↓  j k', 'move (PgUp PgDn, g G: first, last)'],
          ['enter', 'open the selected line'],
          ['esc  backspace', 'back (esc first clears a filter)'],
          ['/', 'filter the list as you type (enter keeps it, esc drops it)'],
          [':', 'go to a view: clusters, nodes [cluster], jobs, audit, help'],
          ['r', 'refresh now (every view also refreshes by itself)'],
          ['?', 'this help'],
          ['q  ctrl-c', 'quit (asks first while jobs started here are running)'],
        ],
      ],
      [
        'Nodes and node',
        [
          ['e', 'evacuate: drain, move every instance away, offline (power off optional)'],
          ['p', 'power off an evacuated, offline node'],
          ['o', 'power on and return the node to service'],
          ['b', 'return the node to service (it is already on)'],
          ['R', 'reboot: evacuate, power off and on, prove the reboot, return (instances move back)'],
          ['m', 'migrate the selected instance of the node (node view: ↑ ↓ select it)'],
          ['w', 'watch the job working on the node'],
          ['a', 'audit trail of the node (node view)'],
        ],
      ],
      [
        'Plan',
        [
          ['p f s a', 'toggle power off, full evacuation, shut down non-mirrored, allow failover'],
          ['m', 'toggle migrating moved instances back (return, reboot)'],
          ['enter', 'start: type the node name to confirm (tab: a reason and a ticket); esc cancels'],
        ],
      ],
      [
        'Job and jobs',
        [
          ['c', 'cancel: nothing new is submitted, queued Ganeti jobs are cancelled'],
          ['t', 'retry a failed or cancelled job from the step where it stopped'],
          ['o', 'roll: power on and return the nodes powered off awaiting confirmation (--poweroff-and-wait)'],
          ['w', "clusters view: open the cluster's running roll"],
          ['esc', 'leave the job view: the job goes on'],
        ],
      ],
    ]);
  });

  it('matches keys: the node actions and the rest', () => {
    expect(['e', 'p', 'o', 'b', 'x'].map(actionFor)).toEqual(['evacuate', 'poweroff', 'poweron', 'return', undefined]);
    expect(actionFor('R')).toBe('reboot');
    // r is refresh, not reboot: a reboot takes the capital.
    expect(actionFor('r')).toBeUndefined();
    expect(pressed(KEYS.migrate, 'm')).toBe(true);
    expect(pressed(KEYS.watch, 'w')).toBe(true);
    expect(pressed(KEYS.watch, 'W')).toBe(false);
  });
});
