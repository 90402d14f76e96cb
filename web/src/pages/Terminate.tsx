import { type FormEvent, useState } from 'react'
import { type AgreementDetail, api, type TerminationPreview } from '../api.ts'
import {
  Alert,
  ErrorSummary,
  type Errors,
  Loaded,
  Page,
  RadioField,
  TextField,
  useAsync,
  useFormErrors,
  useSessionState,
} from '../components/ui.tsx'
import { formatDate, isIsoDate } from '../format.ts'
import { Link, navigate } from '../router.tsx'
import { useSession } from '../session.tsx'

export function TerminatePage({ id }: { id: string }) {
  const a = useAsync(() => api.agreement(id), [id])
  return (
    <Page title="Ophør af aftale">
      <Loaded a={a} what="aftalen">
        {(ag) => <TerminateForm ag={ag} />}
      </Loaded>
    </Page>
  )
}

function TerminateForm({ ag }: { ag: AgreementDetail }) {
  const { ledger } = useSession()
  const [v, setV] = useSessionState(`terminate:${ag.id}`, { effectiveDate: '', kind: 'mutual' })
  const [preview, setPreview] = useState<TerminationPreview | null>(null)
  const f = useFormErrors()

  const validate = (): Errors => {
    const e: Errors = {}
    if (!v.effectiveDate) e.effectiveDate = 'Angiv den sidste dag aftalen gælder'
    else if (!isIsoDate(v.effectiveDate)) e.effectiveDate = 'Datoen er ikke gyldig'
    else if (ledger && v.effectiveDate < ledger.date)
      e.effectiveDate = `Ophørsdatoen kan ikke ligge før i dag (${formatDate(ledger.date)})`
    return e
  }

  const onPreview = async (e: FormEvent) => {
    e.preventDefault()
    setPreview(null)
    await f.submit(validate(), async () => setPreview(await api.terminationPreview(ag.id, v.effectiveDate)))
  }

  const onConfirm = async () => {
    await f.submit(validate(), async () => {
      await api.terminate(ag.id, { effectiveDate: v.effectiveDate, kind: v.kind as 'mutual' | 'unilateral' })
      navigate(`/aftaler/${encodeURIComponent(ag.id)}`)
    })
  }

  return (
    <>
      <p className="font-lead">{ag.title}</p>
      <p>
        <Link to={`/aftaler/${encodeURIComponent(ag.id)}`}>Tilbage til aftalen</Link>
      </p>
      <ErrorSummary errors={f.errors} summaryRef={f.summaryRef} />
      {f.failure && (
        <Alert kind="error" heading="Ophøret blev ikke registreret">
          {f.failure}
        </Alert>
      )}
      <form onSubmit={onPreview} noValidate>
        <TextField
          id="effectiveDate"
          label="Sidste dag aftalen gælder"
          hint="Der betales ikke for dage efter denne dato"
          type="date"
          value={v.effectiveDate}
          onChange={(x) => {
            setPreview(null)
            setV({ ...v, effectiveDate: x })
          }}
          error={f.errors.effectiveDate}
        />
        <RadioField
          id="kind"
          legend="Type af ophør"
          value={v.kind}
          onChange={(x) => setV({ ...v, kind: x })}
          options={[
            { value: 'mutual', label: 'Efter aftale mellem parterne (fx hjemgivelse)' },
            { value: 'unilateral', label: 'Opsigelse fra den ene part' },
          ]}
        />
        <button type="submit" className="button button-secondary" disabled={f.busy}>
          Se konsekvenser
        </button>
      </form>
      {preview && (
        <section aria-labelledby="preview-heading" className="mt-6">
          <h2 id="preview-heading">Det sker, når du bekræfter</h2>
          <div className="table-wrap">
            <table className="table table--compact table--responsive-headers">
              <caption className="sr-only">Aftaler der ophører</caption>
              <thead>
                <tr>
                  <th scope="col">Aftale</th>
                  <th scope="col">Leverandør</th>
                  <th scope="col">Slutter nu</th>
                  <th scope="col">Slutter efter ophør</th>
                </tr>
              </thead>
              <tbody>
                {preview.affected.map((x) => (
                  <tr key={x.id}>
                    <td>
                      {x.title ?? x.id}
                      {x.id !== ag.id && (
                        <div className="form-hint">Tilknyttet aftale – ophører automatisk</div>
                      )}
                    </td>
                    <td>{x.providerName ?? ''}</td>
                    <td>{x.currentEnd ? formatDate(x.currentEnd) : 'Ingen slutdato'}</td>
                    <td>{formatDate(x.newEnd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button type="button" className="button button-primary" onClick={onConfirm} disabled={f.busy}>
            Bekræft ophør
          </button>
        </section>
      )}
    </>
  )
}
