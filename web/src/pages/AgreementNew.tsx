import type { FormEvent } from 'react'
import { api, type Template } from '../api.ts'
import { LineEditor } from '../components/LineEditor.tsx'
import {
  Alert,
  clearSessionState,
  ErrorSummary,
  type Errors,
  Loaded,
  Page,
  SelectField,
  TextField,
  useAsync,
  useFormErrors,
  useSessionState,
} from '../components/ui.tsx'
import { draftFromLine, emptyLine, type LineDraft, toLineInput, validateLines } from '../lines.ts'
import { navigate, useLocation } from '../router.tsx'
import { useSession } from '../session.tsx'

interface Draft {
  caseId: string
  providerId: string
  templateId: string
  mainAgreementId: string
  reportEveryMonths: string
  graceDays: string
  lines: LineDraft[]
}

/** Maps the API's field paths (`lines.1.priceOre`) onto the editor's input ids (`line-1-price`). */
export function lineFieldId(apiField: string): string {
  const m = /^lines\.(\d+)\.(\w+)(?:\.(\w+))?/.exec(apiField)
  if (!m) return apiField
  // `schedule.from` is the "first time" input; a schedule as a whole is pointed at by its hours.
  const field = m[2] === 'priceOre' ? 'price' : m[2] === 'schedule' ? (m[3] ?? 'hours') : (m[2] as string)
  return `line-${m[1]}-${field}`
}

export function AgreementNewPage() {
  const { query } = useLocation()
  const { ledger } = useSession()
  const presetCase = query.get('caseId') ?? ''
  const key = `agreement-new:${presetCase}`
  const data = useAsync(() => Promise.all([api.cases(), api.organisations(), api.templates()]), [])
  const [d, setD] = useSessionState<Draft>(key, {
    caseId: presetCase,
    providerId: '',
    templateId: '',
    mainAgreementId: '',
    reportEveryMonths: '3',
    graceDays: '14',
    lines: [emptyLine()],
  })
  const related = useAsync(() => (d.caseId ? api.agreements(d.caseId) : Promise.resolve([])), [d.caseId])
  const f = useFormErrors()
  const defaultStart = d.lines[0]?.start || ledger?.date || ''

  const applyTemplate = (templates: Template[], id: string) => {
    const t = templates.find((x) => x.id === id)
    if (!t) return setD({ ...d, templateId: id })
    const untouched = d.lines.every((l) => !l.name && !l.price)
    setD({
      ...d,
      templateId: id,
      reportEveryMonths:
        t.reportEveryMonths !== undefined ? String(t.reportEveryMonths) : d.reportEveryMonths,
      graceDays: t.graceDays !== undefined ? String(t.graceDays) : d.graceDays,
      // Never overwrite lines someone has typed; a template only fills an empty editor.
      lines: untouched && t.lines && t.lines.length > 0 ? t.lines.map(draftFromLine) : d.lines,
    })
  }

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    const errors: Errors = {}
    if (!d.caseId) errors.caseId = 'Vælg den sag aftalen hører til'
    if (!d.providerId) errors.providerId = 'Vælg leverandøren'
    if (!d.templateId) errors.templateId = 'Vælg en skabelon'
    if (!/^\d+$/.test(d.reportEveryMonths) || Number(d.reportEveryMonths) < 1)
      errors.reportEveryMonths = 'Angiv hvor mange måneder der går mellem statusrapporter, fx 3'
    if (!/^\d+$/.test(d.graceDays)) errors.graceDays = 'Angiv antal dages frist som et helt tal, fx 14'
    Object.assign(errors, validateLines(d.lines))
    await f.submit(
      errors,
      async () => {
        const a = await api.createAgreement({
          caseId: d.caseId,
          providerId: d.providerId,
          templateId: d.templateId,
          ...(d.mainAgreementId ? { mainAgreementId: d.mainAgreementId } : {}),
          lines: d.lines.map(toLineInput),
          reportEveryMonths: Number(d.reportEveryMonths),
          graceDays: Number(d.graceDays),
        })
        clearSessionState(key)
        navigate(`/aftaler/${encodeURIComponent(a.id)}`)
      },
      lineFieldId,
    )
  }

  return (
    <Page title="Opret aftale">
      <Loaded a={data} what="sager, leverandører og skabeloner">
        {([cases, orgs, templates]) => (
          <>
            <ErrorSummary errors={f.errors} summaryRef={f.summaryRef} />
            {f.failure && (
              <Alert kind="error" heading="Aftalen blev ikke oprettet">
                {f.failure}
              </Alert>
            )}
            <form onSubmit={onSubmit} noValidate>
              <SelectField
                id="caseId"
                label="Sag"
                value={d.caseId}
                onChange={(v) => setD({ ...d, caseId: v, mainAgreementId: '' })}
                options={cases.map((c) => ({ value: c.id, label: c.title }))}
                placeholder="Vælg sag"
                error={f.errors.caseId}
              />
              <SelectField
                id="providerId"
                label="Leverandør"
                value={d.providerId}
                onChange={(v) => setD({ ...d, providerId: v })}
                options={orgs
                  .filter((o) => o.kind === 'provider')
                  .map((o) => ({ value: o.id, label: o.name }))}
                placeholder="Vælg leverandør"
                error={f.errors.providerId}
              />
              <SelectField
                id="templateId"
                label="Skabelon"
                hint="Skabelonen udfylder ydelser og krav til statusrapporter. Du kan rette alt bagefter."
                value={d.templateId}
                onChange={(v) => applyTemplate(templates, v)}
                options={templates.map((t) => ({ value: t.id, label: t.name }))}
                placeholder="Vælg skabelon"
                error={f.errors.templateId}
              />
              <SelectField
                id="mainAgreementId"
                label="Hovedaftale (valgfri)"
                hint="Vælg en hovedaftale, hvis denne aftale hører til den. Den følger så hovedaftalens godkendelse og ophør."
                value={d.mainAgreementId}
                onChange={(v) => setD({ ...d, mainAgreementId: v })}
                options={(related.data ?? []).map((a) => ({ value: a.id, label: a.title ?? a.id }))}
                placeholder="Ingen hovedaftale"
              />
              <h2>Ydelser</h2>
              <LineEditor
                lines={d.lines}
                onChange={(lines) => setD({ ...d, lines })}
                errors={f.errors}
                defaultStart={defaultStart}
              />
              <h2>Forpligtelser</h2>
              <TextField
                id="reportEveryMonths"
                label="Statusrapport hver ... måned"
                hint="Leverandøren skal sende en statusrapport med dette interval fra startdatoen"
                value={d.reportEveryMonths}
                onChange={(v) => setD({ ...d, reportEveryMonths: v })}
                error={f.errors.reportEveryMonths}
                width="xs"
                inputMode="numeric"
              />
              <TextField
                id="graceDays"
                label="Frist efter forfald (dage)"
                hint="Betalingen holdes tilbage, når en rapport er så mange dage forsinket"
                value={d.graceDays}
                onChange={(v) => setD({ ...d, graceDays: v })}
                error={f.errors.graceDays}
                width="xs"
                inputMode="numeric"
              />
              <button type="submit" className="button button-primary" disabled={f.busy}>
                Opret aftale
              </button>
            </form>
          </>
        )}
      </Loaded>
    </Page>
  )
}
