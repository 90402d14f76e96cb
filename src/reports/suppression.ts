/**
 * Small-cell suppression for published counts that relate to citizens (the seed's GDPR dilemma).
 *
 * Primary: every count below the threshold (default 5), totals included, is shown as "<5".
 * Secondary: a hidden cell must not be derivable from what is shown. The published table is a set
 * of linear constraints (each row sums to its row total, each column to its column total); a hidden
 * cell is derivable exactly when it is fixed by those constraints given the visible values. We first
 * apply the cheap line rule (no row or column with exactly one hidden entry) and then check every
 * hidden cell by Gaussian elimination, hiding one more cell (the smallest visible one sharing a line
 * with the derivable cell) until no hidden cell is derivable.
 */

/** What a hidden count shows: "<5" for the default minimum cell size, "<N" for another. */
export type Hidden = `<${number}`
export const SUPPRESSED: Hidden = '<5'
export type Shown = number | Hidden

export function hiddenLabel(threshold: number): Hidden {
  return `<${threshold}`
}

export function isHidden(v: unknown): v is Hidden {
  return typeof v === 'string' && v.startsWith('<')
}

export interface SuppressionOptions {
  /** Counts below this are hidden (default 5). */
  threshold?: number
  /**
   * Zero is shown as 0 (default): it says nothing about any citizen, and KPIs such as "paid after
   * termination" must be readable as 0. Set false to hide zeros too.
   */
  showZeros?: boolean
  /** The table publishes a total per row. */
  rowTotals: boolean
  /** The table publishes a total per column. */
  colTotals: boolean
  /** Cells hidden before we start (e.g. because another table hides them). */
  forced?: boolean[][]
  /** Row totals hidden before we start (e.g. the same figure is hidden in another table). */
  forcedRowTotals?: boolean[]
  /**
   * Row totals (and the grand total) are published elsewhere exactly as here: never hide them as a
   * secondary choice (that would be inconsistent with the other table); hide interior cells instead.
   */
  lockRowTotals?: boolean
}

export type Reason = 'primary' | 'secondary' | 'forced' | null

export interface SuppressedTable {
  threshold: number
  values: number[][]
  reason: Reason[][]
  rowTotals: number[] | null
  rowTotalReason: Reason[] | null
  colTotals: number[] | null
  colTotalReason: Reason[] | null
  grandTotal: number | null
  grandTotalReason: Reason
}

/** A cell of the augmented (R+1)×(C+1) table: last column = row totals, last row = column totals. */
interface Grid {
  R: number
  C: number
  value: number[][]
  exists: boolean[][]
  hidden: Reason[][]
  rowTotals: boolean
  colTotals: boolean
}

function lines(g: Grid): [number, number][][] {
  const out: [number, number][][] = []
  if (g.rowTotals) {
    const last = g.colTotals ? g.R + 1 : g.R
    for (let i = 0; i < last; i++) {
      const line: [number, number][] = []
      for (let j = 0; j <= g.C; j++) line.push([i, j])
      out.push(line)
    }
  }
  if (g.colTotals) {
    const last = g.rowTotals ? g.C + 1 : g.C
    for (let j = 0; j < last; j++) {
      const line: [number, number][] = []
      for (let i = 0; i <= g.R; i++) line.push([i, j])
      out.push(line)
    }
  }
  return out
}

/**
 * Hidden entries that the published constraints pin down, as [row, col] of the augmented grid.
 * Exported for tests: an empty result means no hidden cell can be solved for.
 */
function derivable(g: Grid): [number, number][] {
  const vars: [number, number][] = []
  const index = new Map<string, number>()
  for (let i = 0; i <= g.R; i++)
    for (let j = 0; j <= g.C; j++)
      if (g.exists[i]![j] && g.hidden[i]![j]) {
        index.set(`${i},${j}`, vars.length)
        vars.push([i, j])
      }
  if (vars.length === 0) return []
  // Each constraint: sum of interior entries of the line minus its total = 0. Coefficients on hidden
  // entries form the matrix; visible entries go to the right-hand side, which is known and irrelevant here.
  const rows: Float64Array[] = []
  for (const line of lines(g)) {
    const row = new Float64Array(vars.length)
    let any = false
    line.forEach(([i, j], k) => {
      const v = index.get(`${i},${j}`)
      if (v === undefined) return
      row[v] = k === line.length - 1 ? -1 : 1
      any = true
    })
    if (any) rows.push(row)
  }
  // Reduced row echelon form.
  const n = vars.length
  const pivotOfRow: number[] = []
  let r = 0
  for (let c = 0; c < n && r < rows.length; c++) {
    let best = -1
    for (let k = r; k < rows.length; k++) if (Math.abs(rows[k]![c]!) > 1e-9) best = best === -1 ? k : best
    if (best === -1) continue
    ;[rows[r], rows[best]] = [rows[best]!, rows[r]!]
    const pr = rows[r]!
    const pv = pr[c]!
    for (let x = 0; x < n; x++) pr[x] = pr[x]! / pv
    for (let k = 0; k < rows.length; k++) {
      if (k === r) continue
      const f = rows[k]![c]!
      if (Math.abs(f) < 1e-12) continue
      const rk = rows[k]!
      for (let x = 0; x < n; x++) rk[x] = rk[x]! - f * pr[x]!
    }
    pivotOfRow.push(c)
    r++
  }
  const pivots = new Set(pivotOfRow)
  const out: [number, number][] = []
  pivotOfRow.forEach((c, rowIdx) => {
    const row = rows[rowIdx]!
    let determined = true
    for (let x = 0; x < n; x++) {
      if (x !== c && !pivots.has(x) && Math.abs(row[x]!) > 1e-9) {
        determined = false
        break
      }
    }
    if (determined) out.push(vars[c]!)
  })
  return out
}

function isLocked(g: Grid, j: number, lockRowTotals: boolean): boolean {
  return lockRowTotals && j === g.C
}

/** The smallest visible entry sharing a line with (i, j), preferring interior cells. */
function partner(g: Grid, i: number, j: number, lockRowTotals: boolean): [number, number] | null {
  const candidates: [number, number][] = []
  for (const line of lines(g)) {
    if (!line.some(([a, b]) => a === i && b === j)) continue
    for (const [a, b] of line) {
      if (g.exists[a]![b] && !g.hidden[a]![b] && !isLocked(g, b, lockRowTotals)) candidates.push([a, b])
    }
  }
  if (candidates.length === 0) {
    // Nothing left on its lines: hide the smallest visible interior cell anywhere.
    for (let a = 0; a < g.R; a++) for (let b = 0; b < g.C; b++) if (!g.hidden[a]![b]) candidates.push([a, b])
  }
  if (candidates.length === 0) return null
  const interior = (c: [number, number]) => (c[0] < g.R && c[1] < g.C ? 0 : 1)
  // A hidden zero protects little (the hidden sum is then the small count itself): prefer non-zero.
  const zero = (c: [number, number]) => (g.value[c[0]]![c[1]] === 0 ? 1 : 0)
  candidates.sort(
    (x, y) =>
      interior(x) - interior(y) ||
      zero(x) - zero(y) ||
      g.value[x[0]]![x[1]]! - g.value[y[0]]![y[1]]! ||
      x[0] - y[0] ||
      x[1] - y[1],
  )
  return candidates[0]!
}

function toGrid(cells: number[][], options: SuppressionOptions): Grid {
  const R = cells.length
  const C = R > 0 ? cells[0]!.length : 0
  const value: number[][] = []
  const exists: boolean[][] = []
  const hidden: Reason[][] = []
  for (let i = 0; i <= R; i++) {
    value.push(new Array(C + 1).fill(0))
    exists.push(new Array(C + 1).fill(false))
    hidden.push(new Array(C + 1).fill(null))
  }
  for (let i = 0; i < R; i++) {
    if (cells[i]!.length !== C) throw new Error('suppression: table rows differ in length')
    for (let j = 0; j < C; j++) {
      const v = cells[i]![j]!
      if (!Number.isInteger(v) || v < 0) throw new Error(`suppression: cell ${i},${j} is not a count: ${v}`)
      value[i]![j] = v
      exists[i]![j] = true
      value[i]![C] = value[i]![C]! + v
      value[R]![j] = value[R]![j]! + v
      value[R]![C] = value[R]![C]! + v
    }
  }
  for (let i = 0; i < R; i++) exists[i]![C] = options.rowTotals
  for (let j = 0; j < C; j++) exists[R]![j] = options.colTotals
  exists[R]![C] = options.rowTotals && options.colTotals
  return { R, C, value, exists, hidden, rowTotals: options.rowTotals, colTotals: options.colTotals }
}

export function suppressTable(cells: number[][], options: SuppressionOptions): SuppressedTable {
  const threshold = options.threshold ?? 5
  const lock = options.lockRowTotals ?? false
  const showZeros = options.showZeros ?? true
  const g = toGrid(cells, options)
  for (let i = 0; i <= g.R; i++)
    for (let j = 0; j <= g.C; j++) {
      if (!g.exists[i]![j]) continue
      if (i < g.R && j < g.C && options.forced?.[i]?.[j]) g.hidden[i]![j] = 'forced'
      else if (i < g.R && j === g.C && options.forcedRowTotals?.[i]) g.hidden[i]![j] = 'forced'
      else if (g.value[i]![j]! < threshold && (g.value[i]![j]! > 0 || !showZeros)) g.hidden[i]![j] = 'primary'
    }
  // Line rule first: cheap, and it settles most tables.
  let changed = true
  while (changed) {
    changed = false
    for (const line of lines(g)) {
      const present = line.filter(([a, b]) => g.exists[a]![b])
      const hiddenHere = present.filter(([a, b]) => g.hidden[a]![b])
      if (hiddenHere.length !== 1) continue
      const [hi, hj] = hiddenHere[0]!
      const p = partner(g, hi, hj, lock)
      if (!p) continue
      g.hidden[p[0]]![p[1]] = 'secondary'
      changed = true
    }
  }
  // Exact check: hide more until no hidden entry is pinned down by the constraints.
  for (;;) {
    const pinned = derivable(g)
    if (pinned.length === 0) break
    const [pi, pj] = pinned[0]!
    const p = partner(g, pi, pj, lock)
    if (!p) break
    g.hidden[p[0]]![p[1]] = 'secondary'
  }
  return fromGrid(g, threshold)
}

function fromGrid(g: Grid, threshold: number): SuppressedTable {
  const { R, C } = g
  return {
    threshold,
    values: g.value.slice(0, R).map((row) => row.slice(0, C)),
    reason: g.hidden.slice(0, R).map((row) => row.slice(0, C)),
    rowTotals: g.rowTotals ? g.value.slice(0, R).map((row) => row[C]!) : null,
    rowTotalReason: g.rowTotals ? g.hidden.slice(0, R).map((row) => row[C]!) : null,
    colTotals: g.colTotals ? g.value[R]!.slice(0, C) : null,
    colTotalReason: g.colTotals ? g.hidden[R]!.slice(0, C) : null,
    grandTotal: g.rowTotals && g.colTotals ? g.value[R]![C]! : null,
    grandTotalReason: g.rowTotals && g.colTotals ? g.hidden[R]![C]! : null,
  }
}

/** The published value: the count, or "<5" ("<threshold") when hidden. */
export function shown(value: number, reason: Reason, threshold = 5): Shown {
  return reason ? hiddenLabel(threshold) : value
}

/**
 * Hidden cells of a suppressed table that can be solved for from the published values, as
 * [row, col] with row = R meaning the column-total row and col = C the row-total column.
 * Used by the tests and as a self-check before publishing.
 */
export function derivableCells(t: SuppressedTable): [number, number][] {
  const R = t.values.length
  const C = R > 0 ? t.values[0]!.length : 0
  const g = toGrid(t.values, { rowTotals: t.rowTotals !== null, colTotals: t.colTotals !== null })
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) g.hidden[i]![j] = t.reason[i]![j]!
  if (t.rowTotalReason) for (let i = 0; i < R; i++) g.hidden[i]![C] = t.rowTotalReason[i]!
  if (t.colTotalReason) for (let j = 0; j < C; j++) g.hidden[R]![j] = t.colTotalReason[j]!
  if (t.grandTotalReason !== undefined) g.hidden[R]![C] = t.grandTotalReason
  return derivable(g)
}
