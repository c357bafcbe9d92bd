import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../testing/render.js';
import { HelpPage } from './HelpPage.js';

describe('HelpPage', () => {
  it('the key table by section, then what the marks mean; the kiosk line in a kiosk', () => {
    const r = renderWithProviders(<HelpPage kiosk={false} />, { columns: 120, rows: 60 });
    const f = r.frame();
    expect(f).toMatch(/^Help\nEverywhere\n {2}↑ ↓ {2}j k {9}move/);
    expect(f).toMatch(/ {2}e {16}evacuate: drain/);
    expect(f).toMatch(/ {2}p f s a {10}toggle power off/);
    expect(f).toContain('Blockers are marked "✗ BLOCKED"');
    expect(f).not.toContain('Kiosk:');
    r.rerender(<HelpPage kiosk />);
    expect(r.frame()).toContain('Kiosk: q logs out.');
    r.unmount();
  });
});
