// The windowed list renders the rows that fit, however many there are, and follows the cursor.
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { expect, it } from 'vitest';
import { windowStart, WindowedList } from './WindowedList.js';

const names = Array.from({ length: 5000 }, (_, i) => `node${String(i + 1).padStart(4, '0')}.big.example.org`);

function List({ index, rows, seen }: { index: number; rows: number; seen: Set<string> }) {
  return (
    <WindowedList
      items={names}
      rows={rows}
      index={index}
      keyOf={(n) => n}
      renderRow={(n, _i, selected) => {
        seen.add(n);
        return <Text>{`${selected ? '>' : ' '} ${n}`}</Text>;
      }}
    />
  );
}

it('5 000 rows: only the visible window is rendered, and it follows the cursor', () => {
  const seen = new Set<string>();
  const t0 = performance.now();
  const r = render(<List index={0} rows={20} seen={seen} />);
  const firstMs = performance.now() - t0;
  const lines = (r.lastFrame() ?? '').split('\n');
  expect(lines).toHaveLength(20);
  expect(lines[0]).toBe('> node0001.big.example.org');
  expect(lines[19]).toBe('  node0020.big.example.org');
  expect(seen.size).toBe(20);

  // Moving inside the window keeps it; leaving it scrolls by just enough.
  r.rerender(<List index={19} rows={20} seen={seen} />);
  expect((r.lastFrame() ?? '').split('\n')[0]).toBe('  node0001.big.example.org');
  r.rerender(<List index={20} rows={20} seen={seen} />);
  expect((r.lastFrame() ?? '').split('\n')[0]).toBe('  node0002.big.example.org');
  expect((r.lastFrame() ?? '').split('\n')[19]).toBe('> node0021.big.example.org');

  const t1 = performance.now();
  r.rerender(<List index={4999} rows={20} seen={seen} />);
  const jumpMs = performance.now() - t1;
  const end = (r.lastFrame() ?? '').split('\n');
  expect(end).toHaveLength(20);
  expect(end[19]).toBe('> node5000.big.example.org');
  expect(end[0]).toBe('  node4981.big.example.org');
  // Rows rendered over the whole test: the three windows, never the 5 000.
  expect(seen.size).toBeLessThanOrEqual(20 + 1 + 20);
  console.log(
    `windowed list, 5000 rows x 20 visible: first render ${firstMs.toFixed(1)} ms, jump to the end ${jumpMs.toFixed(1)} ms`,
  );
  r.unmount();
});

it('the window start moves only when the cursor leaves the window, and never past the ends', () => {
  expect(windowStart(0, 5, 10, 100)).toBe(0);
  expect(windowStart(0, 10, 10, 100)).toBe(1);
  expect(windowStart(50, 45, 10, 100)).toBe(45);
  expect(windowStart(50, 55, 10, 100)).toBe(50);
  expect(windowStart(95, 99, 10, 100)).toBe(90);
  // The list shrank under the window (filter): the window comes back.
  expect(windowStart(90, 3, 10, 5)).toBe(0);
});

it('an empty list says so', () => {
  const r = render(
    <WindowedList
      items={[]}
      rows={5}
      index={0}
      keyOf={(n: string) => n}
      renderRow={(n) => <Text>{n}</Text>}
      empty="no node matches the filter"
    />,
  );
  expect(r.lastFrame()).toBe('no node matches the filter');
  r.unmount();
});
