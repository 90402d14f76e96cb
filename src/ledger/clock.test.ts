import { describe, expect, it } from 'vitest'
import { ManualClock, nextBlockTimestamp } from './clock.ts'
import { LedgerError } from './errors.ts'

describe('ledger clock', () => {
  it('moves a manual clock forward and refuses to move it back', () => {
    const clock = new ManualClock(1_767_225_600)
    clock.advanceTo(1_767_312_000)
    expect(clock.now()).toBe(1_767_312_000)
    expect(() => clock.advanceTo(1_767_225_600)).toThrow(LedgerError)
    expect(() => clock.advanceTo(1_767_225_600)).toThrow(/only move forward/)
    expect(clock.now()).toBe(1_767_312_000)
  })

  it('refuses a time that is not whole seconds', () => {
    const clock = new ManualClock(10)
    expect(() => clock.advanceTo(10.5)).toThrow(/whole Unix seconds/)
  })

  it('puts each block strictly after the previous one and never before the clock', () => {
    expect(nextBlockTimestamp(100, 50)).toBe(101)
    expect(nextBlockTimestamp(100, 100)).toBe(101)
    expect(nextBlockTimestamp(100, 500)).toBe(500)
  })
})
