// Node names into matchers, Icinga host names and comments that a job finds again.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCHERS } from '../config/schema.js';
import { downtimeComment, escapeRegex, fill, jobMark, nodeMatchers, shortName } from './template.js';

describe('templates', () => {
  it('fills {node} and {short}, escaping them inside a regular expression only', () => {
    expect(shortName('node3.ganeti.test')).toBe('node3');
    expect(fill('{node}', 'node3.ganeti.test')).toBe('node3.ganeti.test');
    expect(fill('{short}.icinga.example', 'node3.ganeti.test')).toBe('node3.icinga.example');
    expect(fill('^{node}$', 'node3.ganeti.test', true)).toBe('^node3\\.ganeti\\.test$');
    // Other braces are regex quantifiers, left as written.
    expect(fill('^{short}-[0-9]{1,3}$', 'web-1.x', true)).toBe('^web\\-1-[0-9]{1,3}$');
  });

  it('makes the default matcher match the node by its short name, with or without domain and port', () => {
    const [m] = nodeMatchers(DEFAULT_MATCHERS, 'node3.ganeti.test');
    expect(m).toEqual({ name: 'instance', value: '^(node3)(\\..+)?(:[0-9]+)?$', isRegex: true, isEqual: true });
    const re = new RegExp(m!.value);
    expect(['node3', 'node3:9100', 'node3.ganeti.test:9100'].every((s) => re.test(s))).toBe(true);
    expect(['node30', 'anode3', 'node3x.ganeti.test'].some((s) => re.test(s))).toBe(false);
  });

  it('escapes every regex metacharacter', () => {
    const weird = 'a.b*c+d?e(f)g[h]i{j}k|l^m$n\\o/p-q';
    expect(new RegExp(`^${escapeRegex(weird)}$`).test(weird)).toBe(true);
  });

  it("writes the reason, operator and ticket, and ends with the job's mark", () => {
    expect(
      downtimeComment({ jobId: 'J1', node: 'node3', operator: 'alice', reason: ' kernel update ', ticket: 'T1' }),
    ).toBe('kernel update - alice - ticket T1 [nodevac job J1 node node3]');
    expect(downtimeComment({ jobId: 'J1', node: 'node3', operator: 'alice' })).toBe(
      `node out of service - alice ${jobMark('J1', 'node3')}`,
    );
  });

  it('makes the reason terminal-safe', () => {
    const c = downtimeComment({ jobId: 'J1', node: 'n', operator: 'bob', reason: 'x\u001b[2Jy\nz' });
    expect(c).toBe('x\\x1b[2Jy\\nz - bob [nodevac job J1 node n]');
  });
});
