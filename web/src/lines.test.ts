import { describe, expect, it } from 'vitest'
import type { LineInput } from './api.ts'
import { diffLines, draftFromLine, emptyLine, monthlyTotal, toLineInput, validateLines } from './lines.ts'

const ophold: LineInput = {
  id: 'L1',
  name: 'Ophold',
  priceOre: '5200000',
  unit: 'month',
  schedule: { kind: 'monthly' },
  start: '2026-02-01',
  arrangedBy: 'provider',
}
const taxi: LineInput = { ...ophold, id: 'L3', name: 'Taxi', priceOre: '650000', end: '2026-04-30' }

describe('line drafts', () => {
  it('turn typed kroner into exact øre and back', () => {
    const d = { ...emptyLine('2026-02-01'), name: ' Skoledel ', price: '14.000,00' }
    expect(toLineInput(d)).toEqual({
      name: 'Skoledel',
      priceOre: '1400000',
      unit: 'month',
      schedule: { kind: 'monthly' },
      start: '2026-02-01',
      arrangedBy: 'provider',
    })
    expect(toLineInput(draftFromLine(taxi))).toEqual(taxi)
  })

  it('sum the monthly lines of the scenario to 72.500 kr', () => {
    const lines = [
      { ...emptyLine(), price: '52.000' },
      { ...emptyLine(), price: '14000,00' },
      { ...emptyLine(), price: '6500' },
      { ...emptyLine(), unit: 'hour' as const, price: '650' },
    ]
    expect(monthlyTotal(lines)).toBe(7250000n)
  })

  it('explain every problem in Danish against the right field', () => {
    const bad = {
      ...emptyLine(),
      price: '12,345',
      start: '2026-03-01',
      end: '2026-02-01',
      unit: 'hour' as const,
      scheduleKind: 'sessions' as const,
      hours: '0',
      everyWeeks: 'to',
    }
    const e = validateLines([bad])
    expect(Object.keys(e).sort()).toEqual(
      [
        'line-0-end',
        'line-0-everyWeeks',
        'line-0-from',
        'line-0-hours',
        'line-0-name',
        'line-0-price',
      ].sort(),
    )
    expect(e['line-0-price']).toContain('52.000,00')
    expect(validateLines([])).toHaveProperty('add-line')
  })

  it('accept the supervised-contact line of the scenario', () => {
    const d = {
      ...emptyLine('2026-02-01'),
      name: 'Overvåget samvær',
      price: '650,00',
      unit: 'hour' as const,
      scheduleKind: 'sessions' as const,
      hours: '4',
      everyWeeks: '2',
      weekday: '7',
      from: '2026-02-01',
    }
    expect(validateLines([d])).toEqual({})
    expect(toLineInput(d).schedule).toEqual({
      kind: 'sessions',
      hours: 4,
      everyWeeks: 2,
      weekday: 7,
      from: '2026-02-01',
    })
  })
})

describe('diffLines', () => {
  it('shows an amendment as added, changed and unchanged lines', () => {
    const school: LineInput = {
      ...ophold,
      id: 'L4',
      name: 'Ekstra skolestøtte',
      priceOre: '980000',
      start: '2026-03-01',
      end: '2026-05-31',
    }
    const changed = { ...taxi, end: '2026-03-31' }
    const d = diffLines([ophold, taxi], [ophold, changed, school])
    expect(d.map((c) => [c.kind, c.name])).toEqual([
      ['same', 'Ophold'],
      ['changed', 'Taxi'],
      ['added', 'Ekstra skolestøtte'],
    ])
    expect(d[1]?.before).toContain('30. april 2026')
    expect(d[1]?.after).toContain('31. marts 2026')
    expect(diffLines([ophold, taxi], [ophold])[1]?.kind).toBe('removed')
  })
})
