import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../testing/render.js';
import { Footer, packHints } from './Footer.js';

const hints = [
  { key: 'enter', label: 'node' },
  { key: 'e', label: 'evacuate' },
  { key: 'q', label: 'quit' },
];

describe('Footer', () => {
  it('packs hints into lines of the width, never splitting a key from its label', () => {
    expect(packHints(hints, 100)).toEqual([hints]);
    expect(packHints(hints, 22)).toEqual([[hints[0], hints[1]], [hints[2]]]);
    const r = renderWithProviders(<Footer lines={packHints(hints, 22)} />);
    expect(r.frame()).toBe('enter node  e evacuate\nq quit');
    r.unmount();
  });
});
