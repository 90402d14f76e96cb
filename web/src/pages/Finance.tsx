import type { FormEvent } from 'react'
import { api, links, type PaymentRun, type PaymentRunItem } from '../api.ts'
import {
  Alert,
  ErrorSummary,
  type Errors,
  keyed,
  Loaded,
  Page,
  TextField,
  useAsync,
  useFormErrors,
  useSessionState,
} from '../components/ui.tsx'
import { formatDateTime, formatKr, formatMonth, previousMonth } from '../format.ts'
import { Link, navigate } from '../router.tsx'
import { useSession } from '../session.tsx'
import { withheldReason } from './Provider.tsx'

export function FinancePage() {
  const { ledger } = useSession()
  const runs = useAsync(() => api.paymentRuns(), [])
  const [period, setPeriod] = useSessionState('finance-period', ledger ? previousMonth(ledger.date) : '')
  const f = useFormErrors()
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    const errors: Errors = {}
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) errors.period = 'Angiv måneden som år og måned, fx 2026-02'
    await f.submit(errors, async () => {
      const run = await api.runPayments(period)
      navigate(`/oekonomi/${encodeURIComponent(run?.period ?? period)}`)
    })
  }
  return (
    <Page title="Økonomi">
      <h2>Kør månedens betalinger</h2>
      <p>Betalinger for en måned løber bagud og gøres op den 1. i den følgende måned.</p>
      <ErrorSummary errors={f.errors} summaryRef={f.summaryRef} />
      {f.failure && (
        <Alert kind="error" heading="Månedskørslen mislykkedes">
          {f.failure}
        </Alert>
      )}
      <form onSubmit={onSubmit} noValidate>
        <TextField
          id="period"
          label="Måned"
          type="month"
          hint="Den måned der betales for, fx 2026-02 for februar"
          value={period}
          onChange={setPeriod}
          error={f.errors.period}
        />
        <button type="submit" className="button button-primary" disabled={f.busy}>
          Kør månedskørsel
        </button>
      </form>
      <h2>Tidligere kørsler</h2>
      <Loaded a={runs} what="kørsler">
        {(list) =>
          list.length === 0 ? (
            <p>Ingen kørsler endnu.</p>
          ) : (
            <ul>
              {[...list]
                .sort((a, b) => (a.period < b.period ? 1 : -1))
                .map((r) => (
                  <li key={r.period}>
                    <Link to={`/oekonomi/${encodeURIComponent(r.period)}`}>
                      {capital(formatMonth(r.period))}
                    </Link>
                    {r.runAt ? `, kørt ${formatDateTime(r.runAt)}` : ''}
                  </li>
                ))}
            </ul>
          )
        }
      </Loaded>
    </Page>
  )
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

function sum(items: PaymentRunItem[]): bigint {
  return items.reduce((acc, i) => acc + BigInt(i.amountOre), 0n)
}

function ItemTable({
  items,
  caption,
  showReason,
}: {
  items: PaymentRunItem[]
  caption: string
  showReason?: boolean
}) {
  if (items.length === 0) return <p>Ingen.</p>
  return (
    <div className="table-wrap">
      <table className="table table--compact table--responsive-headers">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Leverandør</th>
            <th scope="col">Aftale</th>
            <th scope="col" className="amount">
              Beløb
            </th>
            {showReason && <th scope="col">Begrundelse</th>}
          </tr>
        </thead>
        <tbody>
          {keyed(items).map(([k, i]) => (
            <tr key={k}>
              <td>{i.providerName ?? ''}</td>
              <td>
                <Link to={`/aftaler/${encodeURIComponent(i.agreementId)}`}>
                  {i.agreementTitle ?? 'Aftalen'}
                </Link>
              </td>
              <td className="amount">{formatKr(i.amountOre)}</td>
              {showReason && <td>{withheldReason(i)}</td>}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              I alt
            </th>
            <td className="amount">
              <strong>{formatKr(sum(items))}</strong>
            </td>
            {showReason && <td />}
          </tr>
        </tfoot>
      </table>
    </div>
  )
}

export function PaymentRunView({ run }: { run: PaymentRun }) {
  const by = (s: PaymentRunItem['status']) =>
    run.items.filter((i) => i.status === s || (s === 'approved' && i.status === 'paid'))
  const deviations = run.deviations ?? []
  return (
    <>
      {run.runAt && <p>Kørt {formatDateTime(run.runAt)}.</p>}
      <p>
        <a
          className="button button-secondary"
          href={links.pain001(run.period)}
          download={`pain001-${run.period}.xml`}
        >
          Hent betalingsfil (pain.001)
        </a>
      </p>
      <h2>Godkendt</h2>
      <ItemTable items={by('approved')} caption="Godkendte betalinger" />
      <h2>Tilbageholdt</h2>
      <ItemTable items={by('withheld')} caption="Tilbageholdte betalinger" showReason />
      <h2>Frigivet</h2>
      <ItemTable items={by('released')} caption="Frigivne betalinger" showReason />
      <h2>Afvigelser</h2>
      {deviations.length === 0 ? (
        <p>Ingen fakturaer afviger fra aftalerne.</p>
      ) : (
        <div className="table-wrap">
          <table className="table table--compact table--responsive-headers">
            <caption className="sr-only">Afvigelser</caption>
            <thead>
              <tr>
                <th scope="col">Leverandør</th>
                <th scope="col">Aftale</th>
                <th scope="col">Ydelse</th>
                <th scope="col">Faktureret</th>
                <th scope="col">Aftalt</th>
                <th scope="col" className="amount">
                  Beløb
                </th>
              </tr>
            </thead>
            <tbody>
              {keyed(deviations).map(([k, d]) => (
                <tr key={k}>
                  <td>{d.providerName ?? ''}</td>
                  <td>
                    <Link to={`/aftaler/${encodeURIComponent(d.agreementId)}`}>
                      {d.agreementTitle ?? 'Aftalen'}
                    </Link>
                  </td>
                  <td>{d.lineName ?? ''}</td>
                  <td>{d.quantity}</td>
                  <td>{d.expectedQuantity ?? ''}</td>
                  <td className="amount">{formatKr(d.amountOre)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}

export function PaymentRunPage({ period }: { period: string }) {
  const run = useAsync(() => api.paymentRun(period), [period])
  return (
    <Page title={`Månedskørsel for ${formatMonth(period)}`}>
      <p>
        <Link to="/oekonomi">Tilbage til Økonomi</Link>
      </p>
      <Loaded a={run} what="kørslen">
        {(r) => <PaymentRunView run={r} />}
      </Loaded>
    </Page>
  )
}
