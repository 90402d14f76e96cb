/**
 * Service lines as edited in forms (text the user typed) and as sent to the API (øre, ISO dates),
 * their validation in Danish, and the difference between two agreement versions.
 */
import type { Line, LineInput, Unit } from './api.ts'
import { formatDate, formatKr, isIsoDate, oreToInput, parseKr, unitLabel } from './format.ts'

export interface LineDraft {
  key: string
  id?: string
  name: string
  price: string
  unit: Unit
  scheduleKind: 'monthly' | 'sessions'
  hours: string
  everyWeeks: string
  weekday: string
  from: string
  start: string
  end: string
  arrangedBy: 'provider' | 'municipality'
}

let counter = 0
export function newKey(): string {
  counter += 1
  return `l${Date.now().toString(36)}${counter}`
}

export function emptyLine(start = ''): LineDraft {
  return {
    key: newKey(),
    name: '',
    price: '',
    unit: 'month',
    scheduleKind: 'monthly',
    hours: '',
    everyWeeks: '',
    weekday: '7',
    from: start,
    start,
    end: '',
    arrangedBy: 'provider',
  }
}

export function draftFromLine(l: LineInput | Line): LineDraft {
  const s = l.schedule
  return {
    key: newKey(),
    id: 'id' in l ? l.id : undefined,
    name: l.name,
    price: oreToInput(l.priceOre),
    unit: l.unit,
    scheduleKind: s.kind,
    hours: s.kind === 'sessions' ? String(s.hours) : '',
    everyWeeks: s.kind === 'sessions' ? String(s.everyWeeks) : '',
    weekday: s.kind === 'sessions' ? String(s.weekday) : '7',
    from: s.kind === 'sessions' ? s.from : l.start,
    start: l.start,
    end: l.end ?? '',
    arrangedBy: l.arrangedBy,
  }
}

const posInt = (s: string) => /^\d+$/.test(s.trim()) && Number(s) > 0

/** Field id → Danish message; ids match the inputs rendered by LineEditor (`line-<i>-<field>`). */
export function validateLines(lines: LineDraft[]): Record<string, string> {
  const e: Record<string, string> = {}
  if (lines.length === 0) e['add-line'] = 'Tilføj mindst én ydelse'
  lines.forEach((l, i) => {
    const n = i + 1
    const f = (x: string) => `line-${i}-${x}`
    if (!l.name.trim()) e[f('name')] = `Ydelse ${n}: Angiv hvad ydelsen hedder`
    const ore = parseKr(l.price)
    if (!l.price.trim()) e[f('price')] = `Ydelse ${n}: Angiv prisen i kroner`
    else if (ore === null) e[f('price')] = `Ydelse ${n}: Prisen skal være et beløb i kroner, fx 52.000,00`
    else if (ore === 0n) e[f('price')] = `Ydelse ${n}: Prisen skal være større end 0 kr`
    if (!l.start) e[f('start')] = `Ydelse ${n}: Angiv startdato`
    else if (!isIsoDate(l.start)) e[f('start')] = `Ydelse ${n}: Startdatoen er ikke en gyldig dato`
    if (l.end && !isIsoDate(l.end)) e[f('end')] = `Ydelse ${n}: Slutdatoen er ikke en gyldig dato`
    else if (l.end && l.start && isIsoDate(l.start) && l.end < l.start)
      e[f('end')] = `Ydelse ${n}: Slutdatoen skal være samme dag som eller efter startdatoen`
    if (l.scheduleKind === 'sessions') {
      if (!posInt(l.hours)) e[f('hours')] = `Ydelse ${n}: Angiv antal timer pr. gang som et helt tal`
      if (!posInt(l.everyWeeks))
        e[f('everyWeeks')] = `Ydelse ${n}: Angiv hvor mange uger der går mellem hver gang`
      if (!l.from || !isIsoDate(l.from)) e[f('from')] = `Ydelse ${n}: Angiv datoen for første gang`
    }
    if (l.unit === 'month' && l.scheduleKind !== 'monthly')
      e[f('unit')] = `Ydelse ${n}: En månedspris passer kun til en månedlig ydelse`
  })
  return e
}

export function toLineInput(l: LineDraft): LineInput {
  const out: LineInput = {
    name: l.name.trim(),
    priceOre: String(parseKr(l.price) ?? 0n),
    unit: l.unit,
    schedule:
      l.scheduleKind === 'monthly'
        ? { kind: 'monthly' }
        : {
            kind: 'sessions',
            hours: Number(l.hours),
            everyWeeks: Number(l.everyWeeks),
            weekday: Number(l.weekday),
            from: l.from,
          },
    start: l.start,
    arrangedBy: l.arrangedBy,
  }
  if (l.id) out.id = l.id
  if (l.end) out.end = l.end
  return out
}

/** Sum of the monthly-priced lines (the value the approval threshold looks at). */
export function monthlyTotal(lines: LineDraft[]): bigint {
  let sum = 0n
  for (const l of lines) {
    if (l.unit !== 'month') continue
    const ore = parseKr(l.price)
    if (ore !== null) sum += ore
  }
  return sum
}

export function describeLine(l: LineInput | Line): string {
  const price = `${formatKr(l.priceOre)} ${unitLabel[l.unit] ?? ''}`.trim()
  const period = l.end ? `${formatDate(l.start)} – ${formatDate(l.end)}` : `fra ${formatDate(l.start)}`
  return `${price}, ${period}`
}

export interface LineChange {
  kind: 'added' | 'removed' | 'changed' | 'same'
  name: string
  before?: string
  after?: string
}

function sameKey(a: LineInput, b: LineInput): boolean {
  return a.id && b.id ? a.id === b.id : a.name.trim().toLowerCase() === b.name.trim().toLowerCase()
}

/** What changed from one version's lines to the next: matched by line id, else by name. */
export function diffLines(before: LineInput[], after: LineInput[]): LineChange[] {
  const out: LineChange[] = []
  for (const b of before) {
    const a = after.find((x) => sameKey(b, x))
    if (!a) out.push({ kind: 'removed', name: b.name, before: describeLine(b) })
    else {
      const db = describeLine(b)
      const da = describeLine(a)
      out.push(
        db === da
          ? { kind: 'same', name: a.name, after: da }
          : { kind: 'changed', name: a.name, before: db, after: da },
      )
    }
  }
  for (const a of after) {
    if (!before.some((b) => sameKey(b, a))) out.push({ kind: 'added', name: a.name, after: describeLine(a) })
  }
  return out
}
