// Kiosk: no way out but a confirmed logout, job-control keys do nothing, read-only clusters refuse actions.
import { expect, it } from 'vitest';
import { KEY, press, renderApp, settle, waitFor, worldFor } from './helpers.js';

const w = worldFor({ kiosk: true, readOnly: ['small'] });

it('Ctrl-Z and Ctrl-\\ do nothing; q and Ctrl-C ask to log out, and only y does', async () => {
  const s = renderApp(w.app, { kiosk: true });
  try {
    const f = await waitFor(s, 'ok read-only');
    expect(f).toContain('· KIOSK');
    expect(f).toContain('q log out');
    const before = s.visible().join('\n');
    await press(s, KEY.ctrlZ, KEY.ctrlBackslash);
    await settle();
    expect(s.visible().join('\n')).toBe(before);
    expect(s.quit.called).toBe(false);

    await press(s, 'q');
    await waitFor(s, '? Log out of the nodevac kiosk? [y/n]');
    await press(s, 'n');
    await waitFor(s, (x) => !x.includes('Log out of'));
    await press(s, KEY.ctrlC);
    await waitFor(s, '? Log out of the nodevac kiosk?');
    // In a kiosk a second Ctrl-C is not a yes.
    await press(s, KEY.ctrlC, KEY.ctrlZ);
    expect(s.quit.called).toBe(false);
    await press(s, 'y');
    expect(s.quit.called).toBe(true);
  } finally {
    s.unmount();
  }
});

it('a read-only cluster says so and every action is refused with the reason', async () => {
  const s = renderApp(w.app, { kiosk: true, columns: 120, rows: 40 });
  try {
    await waitFor(s, /> small .* ok read-only/);
    await press(s, KEY.enter);
    await waitFor(s, 'node4.small');
    await press(s, 'j', 'e');
    const f = await waitFor(s, /✗ BLOCKED: .*read-only/s, 'the read-only blocker');
    expect(f).toMatch(/fix: /);
    await press(s, KEY.enter);
    await waitFor(s, /cannot start: \d+ blocker\(s\)/);
    for (const key of ['p', 'o', 'b']) {
      await press(s, KEY.escape, key);
      await waitFor(s, /✗ BLOCKED: .*read-only/s, `the read-only blocker of ${key}`);
    }
    expect(await w.app.jobs({ all: true })).toEqual([]);
  } finally {
    s.unmount();
  }
});
