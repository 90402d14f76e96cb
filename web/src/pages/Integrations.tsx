/**
 * Integrationer (administrator): the MOX event exchange at a glance — what went out and came in,
 * what failed, how long a transaction takes (the business case), and the failed messages with a
 * way to send one again.
 */
import { useState } from 'react'
import { ApiError, api, type DeadLetter, type Percentiles, type ReplayResult } from '../api.ts'
import { Alert, Loaded, Page, useAsync } from '../components/ui.tsx'
import { formatDateTime } from '../format.ts'

const count = (n: number) => new Intl.NumberFormat('da-DK').format(n)

/** Seconds as Danish text with a unit people read easily: 0,8 ms, 120 ms, 2,4 s, 3,5 min. */
export function formatSeconds(s: number | null): string {
  if (s === null) return '–'
  const f = (v: number, digits: number) =>
    new Intl.NumberFormat('da-DK', { maximumFractionDigits: digits }).format(v)
  if (s < 1) return `${f(s * 1000, s < 0.01 ? 1 : 0)} ms`
  if (s < 120) return `${f(s, 1)} s`
  return `${f(s / 60, 1)} min`
}

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <li>
      <p className="figure-label">{label}</p>
      <p className="figure-value">{value}</p>
      {hint && <p className="form-hint">{hint}</p>}
    </li>
  )
}

function TimesTable({ outbound, inbound }: { outbound: Percentiles; inbound: Percentiles }) {
  const rows: [string, Percentiles][] = [
    ['Udgående: hændelse oprettet → leveret', outbound],
    ['Indgående: besked modtaget → behandlet', inbound],
  ]
  return (
    <div className="table-wrap">
      <table className="table table--compact table--responsive-headers" data-testid="transaction-times">
        <caption className="sr-only">Tid pr. transaktion</caption>
        <thead>
          <tr>
            <th scope="col">Retning</th>
            <th scope="col" className="amount">
              Antal
            </th>
            <th scope="col" className="amount">
              Median (p50)
            </th>
            <th scope="col" className="amount">
              p95
            </th>
            <th scope="col" className="amount">
              p99
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, p]) => (
            <tr key={label}>
              <td>{label}</td>
              <td className="amount">{count(p.count)}</td>
              <td className="amount">{formatSeconds(p.p50)}</td>
              <td className="amount">{formatSeconds(p.p95)}</td>
              <td className="amount">{formatSeconds(p.p99)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function replayMessage(r: ReplayResult): { kind: 'success' | 'error'; text: string } {
  if (r.direction === 'outbound')
    return { kind: 'success', text: 'Hændelsen er lagt tilbage i udbakken og sendes igen.' }
  if (r.replayed)
    return {
      kind: 'success',
      text:
        r.outcome.kind === 'duplicate'
          ? 'Beskeden var allerede behandlet; den er nu fjernet fra listen.'
          : 'Beskeden er behandlet: statusrapporten er registreret på aftalen.',
    }
  return {
    kind: 'error',
    text: `Beskeden kunne stadig ikke behandles: ${r.outcome.reason ?? 'ukendt årsag'}`,
  }
}

function DeadLetterRow({ letter, onDone }: { letter: DeadLetter; onDone: (text: string) => void }) {
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<{ kind: 'success' | 'error'; text: string } | null>(null)
  const replay = async () => {
    setBusy(true)
    try {
      const r = replayMessage(await api.replayDeadLetter(letter.id))
      setResult(r)
      if (r.kind === 'success') onDone(r.text)
    } catch (err) {
      setResult({
        kind: 'error',
        text: err instanceof ApiError ? err.message : 'Beskeden kunne ikke sendes igen',
      })
    } finally {
      setBusy(false)
      setConfirming(false)
    }
  }
  return (
    <tr>
      <td>{formatDateTime(letter.createdAt)}</td>
      <td>{letter.direction === 'inbound' ? `Indgående (${letter.routingKey})` : letter.routingKey}</td>
      <td>
        <span className="mono">{letter.messageId || '(intet besked-id)'}</span>
      </td>
      <td>{letter.reason}</td>
      <td>
        {confirming ? (
          <div className="replay-confirm">
            <p>Send beskeden igen?</p>
            <button type="button" className="button button-primary" onClick={replay} disabled={busy}>
              Ja, send igen
            </button>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setConfirming(false)}
              disabled={busy}
            >
              Annuller
            </button>
          </div>
        ) : (
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              setResult(null)
              setConfirming(true)
            }}
            aria-label={`Send igen: besked ${letter.messageId || letter.id}`}
          >
            Send igen
          </button>
        )}
        {result && (
          <Alert kind={result.kind} heading={result.kind === 'success' ? 'Sendt igen' : 'Ikke behandlet'}>
            {result.text}
          </Alert>
        )}
      </td>
    </tr>
  )
}

export function IntegrationsPage() {
  const overview = useAsync(() => api.integrations(), [])
  const [done, setDone] = useState<string | null>(null)
  return (
    <Page
      title="Integrationer"
      lead="Beskeder mellem Tillid og kommunens øvrige systemer (MOX over AMQP): hvad der er sendt og modtaget, hvad der fejlede, og hvor lang tid en transaktion tager."
    >
      {done && <Alert kind="success" heading={done} />}
      <Loaded a={overview} what="integrationer">
        {(o) => (
          <>
            <h2>Udgående hændelser</h2>
            <ul className="card-list figures" data-testid="figures-outbound">
              <Figure label="Sendt" value={count(o.counters.published)} />
              <Figure label="Bekræftet leveret" value={count(o.counters.confirmed)} />
              <Figure label="Fejlede forsøg" value={count(o.counters.failed)} />
              <Figure label="Venter i udbakken" value={count(o.outbox.depth)} />
              <Figure
                label="Forsinkelse i udbakken"
                value={formatSeconds(o.outbox.lagSeconds)}
                hint="Så længe har den ældste hændelse ventet"
              />
            </ul>
            {o.relay && o.relay.consecutiveFailures > 0 && (
              <Alert kind="warning" heading="Hændelser kan ikke leveres lige nu">
                {o.relay.lastError ?? 'Ukendt fejl'} – de venter i udbakken og sendes, når forbindelsen er
                tilbage.
              </Alert>
            )}
            <h2>Indgående beskeder fra ESDH</h2>
            <ul className="card-list figures" data-testid="figures-inbound">
              <Figure label="Behandlet" value={count(o.counters.inboundHandled)} hint="siden start" />
              <Figure label="Behandlet i alt" value={count(o.inbound.handledTotal)} />
              <Figure label="Fejlede" value={count(o.counters.inboundFailed)} hint="siden start" />
              <Figure
                label="Fejlede beskeder i alt"
                value={count(o.counters.deadLetters)}
                hint="siden start"
              />
            </ul>
            {o.inbound.queue && (
              <p>
                Kø: <span className="mono">{o.inbound.queue}</span>
                {o.relay ? `, levering: ${o.relay.dispatcher === 'amqp' ? 'AMQP' : 'i processen'}` : ''}
              </p>
            )}
            <h2>Tid pr. transaktion</h2>
            <p>
              Målt på de seneste op til 10.000 transaktioner i hver retning siden start. Sammenlign med den
              tid en manuel sagsgang tager.
            </p>
            <TimesTable outbound={o.transactionTimes.outbound} inbound={o.transactionTimes.inbound} />
            <h2>Fejlede beskeder</h2>
            <p data-testid="dead-letter-count">
              {o.deadLetters.length === 0
                ? 'Ingen fejlede beskeder venter.'
                : `${count(o.deadLetters.length)}${o.deadLetters.length >= 50 ? '+' : ''} ${
                    o.deadLetters.length === 1 ? 'besked venter' : 'beskeder venter'
                  } på at blive sendt igen. Ret årsagen først, fx ved at oprette aftalen beskeden hører til.`}
            </p>
            {o.deadLetters.length > 0 && (
              <div className="table-wrap">
                <table className="table table--compact table--responsive-headers" data-testid="dead-letters">
                  <caption className="sr-only">Fejlede beskeder</caption>
                  <thead>
                    <tr>
                      <th scope="col">Tidspunkt</th>
                      <th scope="col">Type</th>
                      <th scope="col">Besked-id</th>
                      <th scope="col">Årsag</th>
                      <th scope="col">Handling</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.deadLetters.map((l) => (
                      <DeadLetterRow
                        key={l.id}
                        letter={l}
                        onDone={(text) => {
                          setDone(text)
                          overview.reload()
                        }}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </Loaded>
    </Page>
  )
}
