import { type FormEvent, useState } from 'react'
import { type AgreementDetail, api, type Payment, type PaymentRun } from '../api.ts'
import { ObligationList } from '../components/Obligations.tsx'
import {
  Alert,
  ErrorSummary,
  type Errors,
  Field,
  keyed,
  Loaded,
  Page,
  SelectField,
  TextField,
  useAsync,
  useFormErrors,
  useSessionState,
} from '../components/ui.tsx'
import { formatDate, formatKr, formatMonth, previousMonth } from '../format.ts'
import { Link } from '../router.tsx'
import { useSession } from '../session.tsx'
import { AgreementTable } from './Cases.tsx'

const MAX_BYTES = 10 * 1024 * 1024

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''))
    r.onerror = () => reject(new Error('Filen kunne ikke læses'))
    r.readAsDataURL(file)
  })
}

/** Upload a status report for one agreement; `prefix` keeps ids unique when several forms share a page. */
export function ReportUploadForm({ agreementId, onDone }: { agreementId: string; onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null)
  const [ok, setOk] = useState<string | null>(null)
  const f = useFormErrors()
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    setOk(null)
    const errors: Errors = {}
    if (!file) errors['report-file'] = 'Vælg statusrapporten som fil'
    else if (file.size === 0) errors['report-file'] = 'Filen er tom'
    else if (file.size > MAX_BYTES) errors['report-file'] = 'Filen må højst fylde 10 MB'
    await f.submit(
      errors,
      async () => {
        if (!file) return
        await api.uploadReport(agreementId, { filename: file.name, contentBase64: await readBase64(file) })
        setOk(`Statusrapporten ${file.name} er modtaget.`)
        onDone()
      },
      () => 'report-file',
    )
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="report-heading">
      <h3 id="report-heading">Upload statusrapport</h3>
      <ErrorSummary errors={f.errors} summaryRef={f.summaryRef} />
      {f.failure && (
        <Alert kind="error" heading="Rapporten blev ikke modtaget">
          {f.failure}
        </Alert>
      )}
      {ok && <Alert kind="success" heading={ok} />}
      <Field
        id="report-file"
        label="Statusrapport"
        hint="PDF eller Word, højst 10 MB. Dokumentet bliver hos kommunen; kun et fingeraftryk registreres."
        error={f.errors['report-file']}
      >
        {(aria) => (
          <input
            {...aria}
            type="file"
            name="report-file"
            className="form-input"
            accept=".pdf,.doc,.docx,.odt,application/pdf"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        )}
      </Field>
      <button type="submit" className="button button-primary" disabled={f.busy}>
        Send statusrapport
      </button>
    </form>
  )
}

export function InvoiceForm({ agreement, onDone }: { agreement: AgreementDetail; onDone: () => void }) {
  const { ledger } = useSession()
  const billable = agreement.lines.filter((l) => l.unit !== 'month')
  const [v, setV] = useSessionState(`invoice:${agreement.id}`, {
    period: ledger ? previousMonth(ledger.date) : '',
    lineId: billable[0]?.id ?? '',
    quantity: '',
  })
  const [ok, setOk] = useState<string | null>(null)
  const f = useFormErrors()
  if (billable.length === 0) return null
  const line = billable.find((l) => l.id === v.lineId)
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    setOk(null)
    const errors: Errors = {}
    if (!/^\d{4}-\d{2}$/.test(v.period))
      errors['invoice-period'] = 'Angiv måneden fakturaen gælder, fx 2026-02'
    if (!v.lineId) errors['invoice-line'] = 'Vælg ydelsen'
    if (!/^\d+$/.test(v.quantity.trim()) || Number(v.quantity) <= 0)
      errors['invoice-quantity'] = 'Angiv antal som et helt tal større end 0'
    await f.submit(
      errors,
      async () => {
        const inv = await api.submitInvoice(agreement.id, {
          period: v.period,
          lineId: v.lineId,
          quantity: Number(v.quantity),
        })
        setOk(
          inv?.status === 'deviation'
            ? `Fakturaen er modtaget, men afviger fra aftalen og skal vurderes af kommunen.`
            : `Fakturaen for ${formatMonth(v.period)} er modtaget${inv?.amountOre ? `: ${formatKr(inv.amountOre)}` : ''}.`,
        )
        onDone()
      },
      (field) => `invoice-${field === 'lineId' ? 'line' : field}`,
    )
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="invoice-heading">
      <h3 id="invoice-heading">Indsend faktura</h3>
      <ErrorSummary errors={f.errors} summaryRef={f.summaryRef} />
      {f.failure && (
        <Alert kind="error" heading="Fakturaen blev ikke modtaget">
          {f.failure}
        </Alert>
      )}
      {ok && <Alert kind="success" heading={ok} />}
      <TextField
        id="invoice-period"
        label="Måned"
        type="month"
        hint="Den måned ydelsen blev leveret"
        value={v.period}
        onChange={(x) => setV({ ...v, period: x })}
        error={f.errors['invoice-period']}
      />
      <SelectField
        id="invoice-line"
        label="Ydelse"
        value={v.lineId}
        onChange={(x) => setV({ ...v, lineId: x })}
        options={billable.map((l) => ({ value: l.id, label: l.name }))}
        error={f.errors['invoice-line']}
      />
      <TextField
        id="invoice-quantity"
        label={line?.unit === 'session' ? 'Antal gange' : 'Antal timer'}
        hint={
          line
            ? `Pris: ${formatKr(line.priceOre)} ${line.unit === 'session' ? 'pr. gang' : 'pr. time'}`
            : undefined
        }
        value={v.quantity}
        onChange={(x) => setV({ ...v, quantity: x })}
        error={f.errors['invoice-quantity']}
        width="xs"
        inputMode="numeric"
      />
      <button type="submit" className="button button-primary" disabled={f.busy}>
        Indsend faktura
      </button>
    </form>
  )
}

export const paymentStatusLabel: Record<Payment['status'], string> = {
  approved: 'Godkendt',
  withheld: 'Tilbageholdt',
  released: 'Frigivet',
  paid: 'Betalt',
}

export function PaymentTable({
  payments,
  caption,
}: {
  payments: (Payment & { agreement?: string })[]
  caption: string
}) {
  if (payments.length === 0) return <p>Ingen betalinger endnu.</p>
  const withAgreement = payments.some((p) => p.agreement)
  const withLines = payments.some((p) => (p.lines ?? []).length > 0)
  return (
    <div className="table-wrap">
      <table className="table table--compact table--responsive-headers">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Måned</th>
            {withAgreement && <th scope="col">Aftale</th>}
            <th scope="col" className="amount">
              Beløb
            </th>
            <th scope="col">Status</th>
            <th scope="col">Begrundelse</th>
            {withLines && <th scope="col">Specifikation</th>}
          </tr>
        </thead>
        <tbody>
          {keyed([...payments].sort((a, b) => (a.period < b.period ? 1 : -1))).map(([k, p]) => (
            <tr key={k}>
              <td>{formatMonth(p.period)}</td>
              {withAgreement && <td>{p.agreement}</td>}
              <td className="amount">{formatKr(p.amountOre)}</td>
              <td>
                <span
                  className={`badge badge-${p.status === 'withheld' ? 'error' : p.status === 'released' ? 'warning' : 'success'}`}
                >
                  {paymentStatusLabel[p.status] ?? p.status}
                </span>
              </td>
              <td>{withheldReason(p)}</td>
              {withLines && (
                <td>
                  <ul className="unstyled-list">
                    {keyed(p.lines ?? []).map(([lk, l]) => (
                      <li key={lk}>
                        {l.name}: <span className="amount">{formatKr(l.amountOre)}</span>
                      </li>
                    ))}
                  </ul>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function withheldReason(p: {
  status: string
  reason?: string
  dueDate?: string
  overdueSince?: string
}): string {
  if (p.status !== 'withheld' && p.status !== 'released') return p.reason ?? ''
  const parts: string[] = []
  // The API gives a reason code; only a missing report withholds a payment today.
  if (p.reason === 'report_overdue' || (!p.reason && p.status === 'withheld'))
    parts.push('Statusrapport mangler')
  else if (p.reason) parts.push(p.reason)
  if (p.dueDate) parts.push(`forfaldt ${formatDate(p.dueDate)}`)
  if (p.overdueSince) parts.push(`overskredet siden ${formatDate(p.overdueSince)}`)
  return parts.join(', ')
}

/**
 * The provider's own payments from the payment runs (the API gives a provider only its share), each
 * month once, with the per-line specification from the agreement where it is loaded.
 */
function ownPayments(runs: PaymentRun[], details: AgreementDetail[]) {
  const seen = new Map<string, Payment & { agreement?: string }>()
  for (const run of runs) {
    for (const item of run.items) {
      const period = (item as { period?: string }).period ?? run.period
      const key = `${item.agreementId}/${period}`
      if (seen.has(key)) continue
      const lines = details
        .find((a) => a.id === item.agreementId)
        ?.payments?.find((p) => p.period === period)?.lines
      seen.set(key, { ...item, period, agreement: item.agreementTitle ?? item.agreementId, lines })
    }
  }
  return [...seen.values()]
}

export function ProviderPage() {
  const { me, ledger } = useSession()
  const list = useAsync(() => api.agreements(), [])
  const runs = useAsync(() => api.paymentRuns(), [])
  const details = useAsync(
    () => (list.data ? Promise.all(list.data.map((a) => api.agreement(a.id))) : Promise.resolve(undefined)),
    [list.data],
  )
  const [chosen, setChosen] = useState('')
  const selected = details.data?.find((a) => a.id === chosen) ?? details.data?.[0]
  return (
    <Page title="Leverandør" lead={me.organisation?.name}>
      <h2>Aftaler</h2>
      <Loaded a={list} what="aftaler">
        {(l) => <AgreementTable list={l} caption="Leverandørens aftaler" />}
      </Loaded>
      {details.data && details.data.length > 0 && (
        <>
          <h2>Betalinger</h2>
          <Loaded a={runs} what="betalinger">
            {(r) => <PaymentTable caption="Betalinger" payments={ownPayments(r, details.data ?? [])} />}
          </Loaded>
          <h2>Statusrapporter og fakturaer</h2>
          <SelectField
            id="provider-agreement"
            label="Aftale"
            value={selected?.id ?? ''}
            onChange={setChosen}
            options={details.data.map((a) => ({ value: a.id, label: a.title ?? a.id }))}
          />
          {selected && (
            <>
              <p>
                <Link to={`/aftaler/${encodeURIComponent(selected.id)}`}>Se hele aftalen</Link>
              </p>
              <h3>Forpligtelser</h3>
              <ObligationList agreement={selected} today={ledger?.date} />
              <ReportUploadForm
                key={`r-${selected.id}`}
                agreementId={selected.id}
                onDone={() => {
                  // A report may release a withheld month.
                  details.reload()
                  runs.reload()
                }}
              />
              <InvoiceForm key={`i-${selected.id}`} agreement={selected} onDone={details.reload} />
            </>
          )}
        </>
      )}
    </Page>
  )
}
