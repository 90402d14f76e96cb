import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { derivableCells, type SuppressedTable, suppressTable } from './suppression.ts'

/** Every published entry of a suppressed table as [row, col, value, hidden], margins included. */
function entries(t: SuppressedTable): { i: number; j: number; value: number; hidden: boolean }[] {
  const R = t.values.length
  const C = t.values[0]?.length ?? 0
  const out: { i: number; j: number; value: number; hidden: boolean }[] = []
  for (let i = 0; i < R; i++)
    for (let j = 0; j < C; j++) out.push({ i, j, value: t.values[i]![j]!, hidden: !!t.reason[i]![j] })
  t.rowTotals?.forEach((v, i) => {
    out.push({ i, j: C, value: v, hidden: !!t.rowTotalReason![i] })
  })
  t.colTotals?.forEach((v, j) => {
    out.push({ i: R, j, value: v, hidden: !!t.colTotalReason![j] })
  })
  if (t.grandTotal !== null) out.push({ i: R, j: C, value: t.grandTotal, hidden: !!t.grandTotalReason })
  return out
}

/** No visible count from 1 to threshold-1 (zero is shown on purpose). */
function visibleSmall(t: SuppressedTable): number[] {
  return entries(t)
    .filter((e) => !e.hidden && e.value > 0 && e.value < t.threshold)
    .map((e) => e.value)
}

/** Single row/column derivation: a line whose total is known with exactly one hidden entry. */
function derivableFromOneLine(t: SuppressedTable): boolean {
  const R = t.values.length
  const C = t.values[0]?.length ?? 0
  const all = entries(t)
  const at = (i: number, j: number) => all.find((e) => e.i === i && e.j === j)
  const lines: { i: number; j: number }[][] = []
  if (t.rowTotals)
    for (let i = 0; i < (t.colTotals ? R + 1 : R); i++)
      lines.push(Array.from({ length: C + 1 }, (_, j) => ({ i, j })))
  if (t.colTotals)
    for (let j = 0; j < (t.rowTotals ? C + 1 : C); j++)
      lines.push(Array.from({ length: R + 1 }, (_, i) => ({ i, j })))
  return lines.some((line) => line.filter(({ i, j }) => at(i, j)?.hidden).length === 1)
}

/**
 * Independent exact check (rational arithmetic with bigint): is a hidden entry fixed by the published
 * constraints? It is free exactly when some change to the hidden entries that keeps every row and column
 * sum moves it, i.e. when the null space of the constraint matrix has a vector non-zero at that entry.
 */
function solvable(t: SuppressedTable): number {
  const R = t.values.length
  const C = t.values[0]?.length ?? 0
  const hidden = entries(t).filter((e) => e.hidden)
  const idx = new Map(hidden.map((e, k) => [`${e.i},${e.j}`, k]))
  const n = hidden.length
  const cons: bigint[][] = []
  const addLine = (cells: [number, number][]) => {
    const row = new Array<bigint>(n).fill(0n)
    cells.forEach(([i, j], k) => {
      const v = idx.get(`${i},${j}`)
      if (v !== undefined) row[v] = k === cells.length - 1 ? -1n : 1n
    })
    cons.push(row)
  }
  if (t.rowTotals)
    for (let i = 0; i < (t.colTotals ? R + 1 : R); i++)
      addLine(Array.from({ length: C + 1 }, (_, j) => [i, j] as [number, number]))
  if (t.colTotals)
    for (let j = 0; j < (t.rowTotals ? C + 1 : C); j++)
      addLine(Array.from({ length: R + 1 }, (_, i) => [i, j] as [number, number]))
  // Integer row reduction (fraction-free): rows stay bigint.
  const pivotCols: number[] = []
  let r = 0
  for (let c = 0; c < n && r < cons.length; c++) {
    const p = cons.findIndex((row, k) => k >= r && row[c] !== 0n)
    if (p === -1) continue
    ;[cons[r], cons[p]] = [cons[p]!, cons[r]!]
    for (let k = 0; k < cons.length; k++) {
      if (k === r || cons[k]![c] === 0n) continue
      const a = cons[r]![c]!
      const b = cons[k]![c]!
      cons[k] = cons[k]!.map((x, y) => x * a - cons[r]![y]! * b)
    }
    pivotCols.push(c)
    r++
  }
  const free = new Set([...Array(n).keys()].filter((c) => !pivotCols.includes(c)))
  return pivotCols.filter((_c, row) => [...free].every((f) => cons[row]![f] === 0n)).length
}

function check(t: SuppressedTable) {
  expect(visibleSmall(t)).toEqual([])
  expect(derivableFromOneLine(t)).toBe(false)
  expect(solvable(t)).toBe(0)
  expect(derivableCells(t)).toEqual([])
}

describe('suppressTable', () => {
  it('hides small counts and one more cell in each of their lines', () => {
    const t = suppressTable(
      [
        [10, 3, 20],
        [12, 15, 9],
        [7, 8, 30],
      ],
      { rowTotals: true, colTotals: true },
    )
    expect(t.reason[0]![1]).toBe('primary')
    expect(t.reason.flat().filter((r) => r === 'secondary').length).toBeGreaterThanOrEqual(2)
    check(t)
  })

  it('hides totals below the threshold too', () => {
    const t = suppressTable(
      [
        [1, 0, 2],
        [10, 20, 30],
      ],
      { rowTotals: true, colTotals: true },
    )
    expect(t.rowTotalReason![0]).toBe('primary')
    check(t)
  })

  it('shows zeros unless asked not to', () => {
    const cells = [
      [0, 12, 7],
      [9, 0, 15],
    ]
    expect(
      suppressTable(cells, { rowTotals: true, colTotals: true })
        .reason.flat()
        .every((r) => r === null),
    ).toBe(true)
    const strict = suppressTable(cells, { rowTotals: true, colTotals: true, showZeros: false })
    expect(strict.reason[0]![0]).toBe('primary')
    check(strict)
  })

  it('protects a column-only table (measures per municipality with national totals)', () => {
    const t = suppressTable(
      [
        [120, 4, 9],
        [80, 30, 2],
        [60, 12, 11],
        [3, 7, 40],
      ],
      { rowTotals: false, colTotals: true },
    )
    expect(t.rowTotals).toBeNull()
    check(t)
  })

  it('breaks a bridge between two protected blocks that the line rule alone leaves open', () => {
    // Two 2×2 blocks of small cells joined by one cell: every line has two hidden entries, yet the
    // joining cell is fixed by the sum of one block's constraints.
    const cells = [
      [3, 2, 50, 60],
      [4, 1, 2, 70],
      [40, 50, 3, 4],
      [45, 55, 1, 2],
    ]
    const t = suppressTable(cells, { rowTotals: true, colTotals: true })
    check(t)
  })

  it('respects forced cells and locked row totals (breakdowns of a figure published elsewhere)', () => {
    // The forced pattern comes from a table that protects it already (two hidden row totals against
    // a visible grand total); the breakdown must not add row totals of its own.
    const t = suppressTable(
      [
        [6, 7, 8],
        [20, 2, 9],
        [30, 12, 15],
      ],
      { rowTotals: true, colTotals: true, forcedRowTotals: [true, true, false], lockRowTotals: true },
    )
    expect(t.rowTotalReason).toEqual(['forced', 'forced', null])
    expect(t.grandTotalReason).toBeNull()
    check(t)
  })

  it('never shows a small count nor lets a hidden one be solved for (random tables)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((rows) =>
          fc.tuple(
            fc.array(fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 3, maxLength: 3 }), {
              minLength: rows,
              maxLength: rows,
            }),
            fc.boolean(),
            fc.integer({ min: 3, max: 10 }),
          ),
        ),
        ([cells, rowTotals, threshold]) => {
          const t = suppressTable(cells, { threshold, rowTotals, colTotals: true })
          expect(visibleSmall(t)).toEqual([])
          expect(solvable(t)).toBe(0)
        },
      ),
      { numRuns: 300, seed: 42 },
    )
  })

  it('rejects what is not a count', () => {
    expect(() => suppressTable([[1.5]], { rowTotals: true, colTotals: true })).toThrow(/not a count/)
  })
})
