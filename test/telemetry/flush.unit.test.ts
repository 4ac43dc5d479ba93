import { describe, expect, it } from 'vitest';
import { budgetBeforeDeadline } from '../../src/telemetry/flush.js';

describe('budgetBeforeDeadline', () => {
  it('keeps the whole budget when the deadline is far', () => {
    expect(budgetBeforeDeadline(1000, 30_000, 100)).toBe(1000);
  });

  it('shrinks to the time left minus the margin near the deadline', () => {
    expect(budgetBeforeDeadline(1000, 600, 100)).toBe(500);
    expect(budgetBeforeDeadline(1000, 1100, 100)).toBe(1000);
    expect(budgetBeforeDeadline(1000, 1099, 100)).toBe(999);
  });

  it('is zero, never negative, once the margin is reached or passed', () => {
    expect(budgetBeforeDeadline(1000, 100, 100)).toBe(0);
    expect(budgetBeforeDeadline(1000, 40, 100)).toBe(0);
    expect(budgetBeforeDeadline(1000, -5, 0)).toBe(0);
  });

  it('keeps the budget when the time left is unknown or not a finite number', () => {
    expect(budgetBeforeDeadline(750, undefined, 100)).toBe(750);
    expect(budgetBeforeDeadline(750, Number.NaN, 100)).toBe(750);
    expect(budgetBeforeDeadline(750, Number.POSITIVE_INFINITY, 100)).toBe(750);
  });

  it('never raises a zero budget', () => {
    expect(budgetBeforeDeadline(0, 30_000, 100)).toBe(0);
  });
});
