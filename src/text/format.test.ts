import { describe, expect, it } from 'vitest';
import {
  age,
  clock,
  describeOperator,
  duration,
  elapsed,
  operatorAt,
  operatorName,
  short,
  utcMinute,
  utcSecond,
} from './format.js';

const ssh = { name: 'alice', user: 'alice', from: '10.0.0.7', host: 'jump1' };
const local = { name: 'alice', user: 'alice', from: null, host: 'jump1' };

describe('the operator', () => {
  it('in each form: described, at, named', () => {
    expect(describeOperator(ssh)).toBe('alice (ssh from 10.0.0.7)');
    expect(describeOperator(local)).toBe('alice (on jump1)');
    expect(operatorAt(ssh)).toBe('alice@10.0.0.7');
    expect(operatorAt(local)).toBe('alice@jump1');
    expect(operatorName(ssh)).toBe('alice (10.0.0.7)');
    expect(operatorName(local)).toBe('alice@jump1');
  });
});

describe('names and times', () => {
  it('short names keep a name without a domain whole', () => {
    expect(short('node3.ams.example.org')).toBe('node3');
    expect(short('node3')).toBe('node3');
    expect(short('.hidden')).toBe('.hidden');
  });

  it('UTC clock, minute and second stamps; "-" when there is no time', () => {
    const iso = '2026-11-24T19:37:05.123Z';
    expect(clock(iso)).toBe('19:37:05');
    expect(utcMinute(iso)).toBe('2026-11-24 19:37');
    expect(utcSecond(iso)).toBe('2026-11-24 19:37:05Z');
    for (const f of [clock, utcMinute, utcSecond]) expect(f(undefined)).toBe('-');
  });

  it('durations by their largest units, elapsed between two times, ages', () => {
    expect([850, 12_345, 245_000, 3_720_000].map(duration)).toEqual(['850ms', '12.3s', '4m05s', '1h02m']);
    expect(duration(-1)).toBe('-');
    expect(elapsed('2026-11-24T19:37:05Z', '2026-11-24T19:37:07.500Z')).toBe('2.5s');
    expect(elapsed(undefined)).toBe('-');
    const now = Date.parse('2026-11-24T20:00:00Z');
    expect(age('2026-11-24T19:59:56Z', now)).toBe('4s');
    expect(age('2026-11-24T17:00:00Z', now)).toBe('3h');
    expect(age('2026-11-19T20:00:00Z', now)).toBe('5d');
    expect(age('never', now)).toBe('-');
  });
});
