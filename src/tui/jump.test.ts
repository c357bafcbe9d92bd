import { describe, expect, it } from 'vitest';
import { jump } from './jump.js';

const clusters = ['small', 'big'];

describe('jump', () => {
  it('a view by a prefix of its name; the nodes of the named, current or first cluster', () => {
    expect(jump('au', [], clusters)).toEqual({ stack: [{ name: 'clusters' }, { name: 'audit' }] });
    expect(jump(' c ', [], clusters)).toEqual({ stack: [{ name: 'clusters' }] });
    expect(jump('nodes big', [], clusters)).toEqual({
      stack: [{ name: 'clusters' }, { name: 'nodes', cluster: 'big' }],
    });
    const inBig = [{ name: 'clusters' as const }, { name: 'node' as const, cluster: 'big', node: 'n1.big' }];
    expect(jump('n', inBig, clusters)).toEqual({ stack: [{ name: 'clusters' }, { name: 'nodes', cluster: 'big' }] });
    expect(jump('n', [], clusters)).toEqual({ stack: [{ name: 'clusters' }, { name: 'nodes', cluster: 'small' }] });
  });

  it('says what there is when the view or the cluster is unknown', () => {
    expect(jump('bogus', [], clusters)).toEqual({
      flash: 'no view "bogus": try clusters, nodes [cluster], jobs, audit or help',
    });
    expect(jump('', [], clusters)).toEqual({ flash: 'no view "": try clusters, nodes [cluster], jobs, audit or help' });
    expect(jump('nodes nowhere', [], clusters)).toEqual({
      flash: 'no cluster "nowhere": configured clusters are small, big',
    });
  });
});
