import type { FormEvent } from 'react'
import { type AgreementDetail, api } from '../api.ts'
import { LineEditor } from '../components/LineEditor.tsx'
import {
  Alert,
  clearSessionState,
  ErrorSummary,
  type Errors,
  Loaded,
  Page,
  TextField,
  useAsync,
  useFormErrors,
  useSessionState,
} from '../components/ui.tsx'
import { isIsoDate } from '../format.ts'
import { draftFromLine, type LineDraft, toLineInput, validateLines } from '../lines.ts'
import { Link, navigate } from '../router.tsx'
import { useSession } from '../session.tsx'
import { VersionDiff } from './Agreement.tsx'
import { lineFieldId } from './AgreementNew.tsx'

/**
 * The API takes an amendment as the lines it adds plus changes to existing lines (a new price from
 * a date, or a new end), so the complete line set the form edits is split accordingly.
 */
function lineChanges(ag: AgreementDetail, lines: LineDraft[], today: string) {
  const before = new Map(ag.lines.map((l) => [l.id, l]))
  return lines.flatMap((l) => {
    const old = l.id ? before.get(l.id) : undefined
    if (!old || !l.id) return []
    const now = toLineInput(l)
    if (now.priceOre === String(old.priceOre) && (now.end ?? null) === (old.end ?? null)) return []
    return [
      { lineId: l.id, effectiveFrom: today, priceOre: now.priceOre, ...(now.end ? { end: now.end } : {}) },
    ]
  })
}

export function AmendPage({ id }: { id: string }) {
  const a = useAsync(() => api.agreement(id), [id])
  return (
    <Page title="Tillæg til aftale">
      <Loaded a={a} what="aftalen">
        {(ag) => <AmendForm ag={ag} />}
      </Loaded>
    </Page>
  )
}

function AmendForm({ ag }: { ag: AgreementDetail }) {
  const { ledger } = useSession()
  const key = `amend:${ag.id}:${ag.version ?? 0}`
  const [d, setD] = useSessionState<{ lines: LineDraft[]; reviewDate: string; locked: string[] }>(key, () => {
    const lines = ag.lines.map(draftFromLine)
    return { lines, reviewDate: '', locked: lines.map((l) => l.key) }
  })
  const f = useFormErrors()
  const version = ag.version ?? 1

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    const errors: Errors = validateLines(d.lines)
    if (d.reviewDate && !isIsoDate(d.reviewDate))
      errors.reviewDate = 'Revurderingsdatoen er ikke en gyldig dato'
    await f.submit(
      errors,
      async () => {
        await api.amend(ag.id, {
          lines: d.lines.filter((l) => !l.id).map(toLineInput),
          changes: lineChanges(ag, d.lines, ledger?.date ?? ''),
          ...(d.reviewDate ? { reviewDate: d.reviewDate } : {}),
        })
        clearSessionState(key)
        navigate(`/aftaler/${encodeURIComponent(ag.id)}`)
      },
      lineFieldId,
    )
  }

  const preview = {
    version: version + 1,
    lines: d.lines.map((l) => ({ ...toLineInput(l), id: l.id ?? l.key })),
  }
  return (
    <>
      <p className="font-lead">
        {ag.title}: du laver version {version + 1}. Version {version} kan stadig læses bagefter. Tillægget
        skal underskrives af begge parter.
      </p>
      <p>
        <Link to={`/aftaler/${encodeURIComponent(ag.id)}`}>Tilbage til aftalen</Link>
      </p>
      <ErrorSummary errors={f.errors} summaryRef={f.summaryRef} />
      {f.failure && (
        <Alert kind="error" heading="Tillægget blev ikke oprettet">
          {f.failure}
        </Alert>
      )}
      <form onSubmit={onSubmit} noValidate>
        <h2>Ydelser i version {version + 1}</h2>
        <LineEditor
          lines={d.lines}
          onChange={(lines) => setD({ ...d, lines })}
          errors={f.errors}
          defaultStart={ledger?.date ?? ''}
          lockedKeys={d.locked}
        />
        <TextField
          id="reviewDate"
          label="Revurderingsdato (valgfri)"
          hint="Sagsbehandleren får besked, når ydelserne skal revurderes"
          type="date"
          value={d.reviewDate}
          onChange={(v) => setD({ ...d, reviewDate: v })}
          error={f.errors.reviewDate}
        />
        <h2>Sådan ændres aftalen</h2>
        <VersionDiff before={{ version, lines: ag.lines }} after={preview} />
        <button type="submit" className="button button-primary" disabled={f.busy}>
          Opret tillæg
        </button>
      </form>
    </>
  )
}
