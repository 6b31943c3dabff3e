import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renewalDecision } from '../../../src/core/cert/renewal.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const at = (days: number): Date => new Date(T0 + days * DAY);

test('renewal: due when less than a third (half under 10 days) of the lifetime is left', () => {
  const cases: { name: string; lifetimeDays: number; nowDays: number; due: boolean; dueAtDays: number }[] = [
    { name: '90 days, fresh', lifetimeDays: 90, nowDays: 0, due: false, dueAtDays: 60 },
    { name: '90 days, one second before 2/3', lifetimeDays: 90, nowDays: 60 - 1 / 86_400, due: false, dueAtDays: 60 },
    { name: '90 days, exactly at 2/3', lifetimeDays: 90, nowDays: 60, due: true, dueAtDays: 60 },
    { name: '90 days, expired', lifetimeDays: 90, nowDays: 100, due: true, dueAtDays: 60 },
    { name: '30 days', lifetimeDays: 30, nowDays: 19, due: false, dueAtDays: 20 },
    { name: '10 days is not short', lifetimeDays: 10, nowDays: 6, due: false, dueAtDays: 10 - 10 / 3 },
    { name: '6 days (shortlived) renews at half', lifetimeDays: 6, nowDays: 2.9, due: false, dueAtDays: 3 },
    { name: '6 days at half', lifetimeDays: 6, nowDays: 3, due: true, dueAtDays: 3 },
    { name: '160 hours', lifetimeDays: 160 / 24, nowDays: 3.4, due: true, dueAtDays: 80 / 24 },
    { name: '10 years (self-signed)', lifetimeDays: 3650, nowDays: 2000, due: false, dueAtDays: 3650 - 3650 / 3 },
  ];
  for (const c of cases) {
    const d = renewalDecision(at(0), at(c.lifetimeDays), at(c.nowDays));
    assert.equal(d.due, c.due, c.name);
    assert.ok(Math.abs(d.dueAt.getTime() - at(c.dueAtDays).getTime()) <= 1, `${c.name}: dueAt ${d.dueAt.toISOString()}`);
  }
});

test('renewal: nonsense dates (notAfter not after notBefore) are due now', () => {
  const now = at(5);
  assert.deepEqual(renewalDecision(at(10), at(10), now), { due: true, dueAt: now });
  assert.deepEqual(renewalDecision(at(10), at(1), now), { due: true, dueAt: now });
  assert.equal(renewalDecision(new Date(NaN), at(1), now).due, true);
});
