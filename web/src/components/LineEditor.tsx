import type { Unit } from '../api.ts'
import { formatKr, weekdayLabel } from '../format.ts'
import { emptyLine, type LineDraft, monthlyTotal } from '../lines.ts'
import { type Errors, RadioField, SelectField, TextField } from './ui.tsx'

const unitOptions: { value: Unit; label: string }[] = [
  { value: 'month', label: 'Pr. måned' },
  { value: 'hour', label: 'Pr. time' },
  { value: 'session', label: 'Pr. gang' },
]

/**
 * Edits a list of service lines. Each line is a fieldset "Ydelse N" so that screen readers and
 * browser tests can address its fields ("Ydelse 2" → "Pris").
 */
export function LineEditor({
  lines,
  onChange,
  errors,
  defaultStart,
  lockedKeys = [],
}: {
  lines: LineDraft[]
  onChange: (lines: LineDraft[]) => void
  errors: Errors
  defaultStart: string
  /** Lines of an earlier version that may be ended but not removed. */
  lockedKeys?: string[]
}) {
  const update = (i: number, patch: Partial<LineDraft>) =>
    onChange(lines.map((l, j) => (j === i ? { ...l, ...patch } : l)))
  const total = monthlyTotal(lines)
  return (
    <>
      {lines.map((l, i) => {
        const id = (f: string) => `line-${i}-${f}`
        const n = i + 1
        const locked = lockedKeys.includes(l.key)
        return (
          <fieldset key={l.key} className="line-card" aria-label={`Ydelse ${n}`}>
            <legend>
              Ydelse {n}
              {l.name.trim() ? `: ${l.name.trim()}` : ''}
            </legend>
            <TextField
              id={id('name')}
              label="Navn på ydelsen"
              hint="Fx Ophold, Skoledel, Taxi"
              value={l.name}
              onChange={(v) => update(i, { name: v })}
              error={errors[id('name')]}
            />
            <TextField
              id={id('price')}
              label="Pris"
              hint="I kroner med øre, fx 52.000,00"
              value={l.price}
              onChange={(v) => update(i, { price: v })}
              error={errors[id('price')]}
              width="s"
              inputMode="decimal"
              suffix="kr"
            />
            <SelectField
              id={id('unit')}
              label="Enhed"
              value={l.unit}
              onChange={(v) =>
                update(i, { unit: v as Unit, scheduleKind: v === 'month' ? 'monthly' : 'sessions' })
              }
              options={unitOptions}
              error={errors[id('unit')]}
            />
            {l.scheduleKind === 'sessions' && (
              <>
                <TextField
                  id={id('hours')}
                  label="Timer pr. gang"
                  value={l.hours}
                  onChange={(v) => update(i, { hours: v })}
                  error={errors[id('hours')]}
                  width="xs"
                  inputMode="numeric"
                />
                <TextField
                  id={id('everyWeeks')}
                  label="Hver ... uge"
                  hint="2 betyder hver anden uge"
                  value={l.everyWeeks}
                  onChange={(v) => update(i, { everyWeeks: v })}
                  error={errors[id('everyWeeks')]}
                  width="xs"
                  inputMode="numeric"
                />
                <SelectField
                  id={id('weekday')}
                  label="Ugedag"
                  value={l.weekday}
                  onChange={(v) => update(i, { weekday: v })}
                  options={weekdayLabel.map((d, k) => ({ value: String(k + 1), label: d }))}
                />
                <TextField
                  id={id('from')}
                  label="Første gang"
                  type="date"
                  value={l.from}
                  onChange={(v) => update(i, { from: v })}
                  error={errors[id('from')]}
                />
              </>
            )}
            <TextField
              id={id('start')}
              label="Startdato"
              type="date"
              value={l.start}
              onChange={(v) => update(i, { start: v })}
              error={errors[id('start')]}
            />
            <TextField
              id={id('end')}
              label="Slutdato (valgfri)"
              hint="Tom betyder indtil aftalen ophører"
              type="date"
              value={l.end}
              onChange={(v) => update(i, { end: v })}
              error={errors[id('end')]}
            />
            <RadioField
              id={id('arrangedBy')}
              legend="Hvem sørger for ydelsen?"
              value={l.arrangedBy}
              onChange={(v) => update(i, { arrangedBy: v as LineDraft['arrangedBy'] })}
              options={[
                { value: 'provider', label: 'Leverandøren' },
                { value: 'municipality', label: 'Kommunen' },
              ]}
            />
            {!locked && lines.length > 1 && (
              <button
                type="button"
                className="button button-tertiary"
                onClick={() => onChange(lines.filter((_, j) => j !== i))}
              >
                Fjern ydelse {n}
              </button>
            )}
          </fieldset>
        )
      })}
      <div className={`form-group${errors['add-line'] ? ' form-error' : ''}`}>
        {errors['add-line'] && (
          <span className="form-error-message" id="add-line-error">
            <span className="sr-only">Fejl: </span>
            {errors['add-line']}
          </span>
        )}
        <button
          type="button"
          id="add-line"
          className="button button-secondary"
          onClick={() => onChange([...lines, emptyLine(defaultStart)])}
        >
          Tilføj ydelse
        </button>
      </div>
      <p aria-live="polite">
        Samlet pris pr. måned for månedsydelser: <strong className="amount">{formatKr(total)}</strong>
      </p>
    </>
  )
}
