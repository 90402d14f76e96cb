import { type FormEvent, useState } from 'react'
import { api } from '../api.ts'
import { Alert, ErrorSummary, type Errors, Page, TextField, useFormErrors } from '../components/ui.tsx'
import { formatDate, isIsoDate } from '../format.ts'
import { useSession } from '../session.tsx'

export function DemoTimePage() {
  const { ledger, refreshLedger } = useSession()
  const [date, setDate] = useState('')
  const [ok, setOk] = useState<string | null>(null)
  const f = useFormErrors()
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    setOk(null)
    const errors: Errors = {}
    if (!date) errors['ledger-date'] = 'Angiv den dato tiden skal flyttes frem til'
    else if (!isIsoDate(date)) errors['ledger-date'] = 'Datoen er ikke gyldig'
    else if (ledger && date <= ledger.date)
      errors['ledger-date'] = `Tiden kan kun flyttes frem: vælg en dato efter ${formatDate(ledger.date)}`
    await f.submit(
      errors,
      async () => {
        const t = await api.setLedgerTime(date)
        setOk(`Ledger-datoen er nu ${formatDate(t?.date ?? date)}.`)
        refreshLedger()
      },
      () => 'ledger-date',
    )
  }
  if (!ledger) {
    return (
      <Page title="Demo: tidsstyring">
        <p>Tidsstyring findes kun i demo-tilstand. Her går tiden som i virkeligheden.</p>
      </Page>
    )
  }
  return (
    <Page title="Demo: tidsstyring">
      <Alert kind="warning" heading="Kun til demonstration">
        Her kan du flytte ledgerens ur frem for at vise et forløb på få minutter. Tiden kan aldrig flyttes
        tilbage, og i drift går tiden som i virkeligheden.
      </Alert>
      <p>
        Ledger-dato nu: <strong>{formatDate(ledger.date)}</strong>
      </p>
      <ErrorSummary errors={f.errors} summaryRef={f.summaryRef} />
      {f.failure && (
        <Alert kind="error" heading="Tiden blev ikke flyttet">
          {f.failure}
        </Alert>
      )}
      {ok && <Alert kind="success" heading={ok} />}
      <form onSubmit={onSubmit} noValidate>
        <TextField
          id="ledger-date"
          label="Ny ledger-dato"
          type="date"
          value={date}
          onChange={setDate}
          error={f.errors['ledger-date']}
        />
        <button type="submit" className="button button-primary" disabled={f.busy}>
          Flyt tiden frem
        </button>
      </form>
    </Page>
  )
}
