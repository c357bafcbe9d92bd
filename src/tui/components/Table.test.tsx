// Table layout: growing columns sized to their content when the rows are given.
import { expect, it } from 'vitest';
import { renderWithProviders } from '../testing/render.js';
import { layout, Row, type Column } from './Table.js';

interface Item {
  name: string;
  state: string;
  note: string;
}

const columns: Column<Item>[] = [
  { title: 'NAME', grow: 3, min: 4, cell: (i) => i.name },
  { title: 'STATE', width: 7, cell: (i) => i.state },
  { title: 'NOTE', grow: 2, min: 4, cell: (i) => i.note },
];
const items: Item[] = [
  { name: 'node1.example.org', state: 'up', note: '' },
  { name: 'node10.example.org', state: 'down', note: 'locked by alice' },
];

it('without rows, growing columns share the width; with rows, all but the last fit their widest cell', () => {
  const shared = layout(columns, 100);
  expect(shared.map((l) => l.width)).toEqual([54, 7, 35]);
  const fitted = layout(columns, 100, items);
  expect(fitted.map((l) => l.width)).toEqual([18, 7, 71]);
  // Both fill the width: marker (2), gaps (2) and the columns.
  for (const laid of [shared, fitted]) expect(2 + 2 + laid.reduce((n, l) => n + l.width, 0)).toBe(100);
  // A growing column is never wider than its share, nor narrower than its minimum or title.
  expect(layout(columns, 30, items).map((l) => l.width)).toEqual([11, 7, 8]);
  expect(layout(columns, 100, [{ name: 'a', state: 'up', note: '' }]).map((l) => l.width)).toEqual([4, 7, 85]);
});

it('rows: each cell in its column, the name column as wide as the longest name', () => {
  const laid = layout(columns, 60, items);
  const frame = (item: Item, selected: boolean) =>
    renderWithProviders(<Row laid={laid} item={item} selected={selected} />).frame();
  expect(frame(items[0]!, false)).toBe('  node1.example.org  up');
  expect(frame(items[1]!, false)).toBe('  node10.example.org down    locked by alice');
  expect(frame(items[0]!, true)).toBe('> node1.example.org  up');
});
