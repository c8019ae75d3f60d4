import { describe, expect, it } from 'vitest';
import {
  conditionExpression,
  LEASE_RULES,
  rowMeets,
  type RuleRow,
} from '../../src/checkpoint/lease-rules.js';

const NOW = 1_000_000;
const live = NOW + 1;
const gone = NOW - 1;

describe('the lease rules, stated once', () => {
  it('become the DynamoDB conditions the adapter sends', () => {
    expect(conditionExpression(LEASE_RULES.canLease)).toBe(
      'attribute_not_exists(parameter_hash) OR (#s = :leased AND lease_expires_at < :now) OR #s = :failed',
    );
    expect(conditionExpression(LEASE_RULES.holdsLease)).toBe('lease_owner = :me AND #s = :leased');
    expect(conditionExpression(LEASE_RULES.canLock)).toBe(
      'attribute_not_exists(parameter_hash) OR lease_expires_at < :now OR lease_owner = :me',
    );
    expect(conditionExpression(LEASE_RULES.holdsLock)).toBe('lease_owner = :me');
  });

  // [row, canLease, holdsLease, canLock, holdsLock] for `me` asking at NOW.
  const table: [string, RuleRow | undefined, boolean, boolean, boolean, boolean][] = [
    ['no row', undefined, true, false, true, false],
    ['pipeline row', {}, false, false, false, false],
    ['mine, live', { status: 'leased', lease_owner: 'me', lease_expires_at: live }, false, true, true, true],
    [
      'mine, expired',
      { status: 'leased', lease_owner: 'me', lease_expires_at: gone },
      true,
      true,
      true,
      true,
    ],
    [
      'theirs, live',
      { status: 'leased', lease_owner: 'x', lease_expires_at: live },
      false,
      false,
      false,
      false,
    ],
    [
      'theirs, now',
      { status: 'leased', lease_owner: 'x', lease_expires_at: NOW },
      false,
      false,
      false,
      false,
    ],
    [
      'theirs, expired',
      { status: 'leased', lease_owner: 'x', lease_expires_at: gone },
      true,
      false,
      true,
      false,
    ],
    ['theirs, no expiry', { status: 'leased', lease_owner: 'x' }, false, false, false, false],
    ['done, mine', { status: 'done', lease_owner: 'me' }, false, false, true, true],
    ['failed', { status: 'failed', lease_owner: 'x' }, true, false, false, false],
    ['unknown status', { status: 'archived', lease_expires_at: gone }, false, false, true, false],
  ];
  it.each(table)(
    'read over a row as DynamoDB reads them: %s',
    (_name, row, lease, holds, lock, holdsLock) => {
      expect(rowMeets(LEASE_RULES.canLease, row, 'me', NOW)).toBe(lease);
      expect(rowMeets(LEASE_RULES.holdsLease, row, 'me', NOW)).toBe(holds);
      expect(rowMeets(LEASE_RULES.canLock, row, 'me', NOW)).toBe(lock);
      expect(rowMeets(LEASE_RULES.holdsLock, row, 'me', NOW)).toBe(holdsLock);
    },
  );
});
