/**
 * The ledger clock: the time the app treats as "now" on the chain. In demo mode it is a manual
 * clock that only moves forward, so a scenario spanning months runs in seconds; otherwise it is
 * the wall clock.
 */
import { LedgerError } from './errors.ts'

export interface LedgerClock {
  readonly kind: 'manual' | 'wall'
  /** Unix seconds. */
  now(): number
}

export class WallClock implements LedgerClock {
  readonly kind = 'wall'
  now(): number {
    return Math.floor(Date.now() / 1000)
  }
}

export class ManualClock implements LedgerClock {
  readonly kind = 'manual'
  private current: number

  constructor(start: number) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  /** Throws LEDGER_CLOCK_BACKWARDS for a time before now; the same time is a no-op. */
  check(unixSeconds: number): void {
    if (!Number.isSafeInteger(unixSeconds) || unixSeconds < 0) {
      throw new LedgerError(
        'LEDGER_CLOCK_BACKWARDS',
        `ledger time must be whole Unix seconds, got ${unixSeconds}`,
      )
    }
    if (unixSeconds < this.current) {
      throw new LedgerError(
        'LEDGER_CLOCK_BACKWARDS',
        `ledger time can only move forward: ${iso(unixSeconds)} is before the ledger clock ${iso(this.current)}`,
      )
    }
  }

  advanceTo(unixSeconds: number): void {
    this.check(unixSeconds)
    this.current = unixSeconds
  }
}

/**
 * The timestamp of the next block: strictly after the previous block (a block hash pins its
 * timestamp, so equal timestamps would make replay depend on anvil's own choice) and never
 * before the ledger clock.
 */
export function nextBlockTimestamp(previousBlockTimestamp: number, clockNow: number): number {
  return Math.max(previousBlockTimestamp + 1, clockNow)
}

function iso(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString()
}
