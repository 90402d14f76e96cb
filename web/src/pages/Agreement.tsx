import { type FormEvent, useEffect, useRef, useState } from 'react'
import {
  type AgreementDetail,
  type AgreementVersion,
  api,
  type Line,
  links,
  type Proof,
  type Signature,
} from '../api.ts'
import { ObligationList } from '../components/Obligations.tsx'
import {
  Alert,
  DefinitionList,
  ErrorSummary,
  type Errors,
  keyed,
  Loaded,
  Page,
  RadioField,
  SelectField,
  StateBadge,
  TextField,
  useAsync,
  useFormErrors,
} from '../components/ui.tsx'
import {
  formatDate,
  formatDateTime,
  formatKr,
  formatMonth,
  formatWhen,
  isIsoDate,
  unitLabel,
  weekdayLabel,
} from '../format.ts'
import { diffLines } from '../lines.ts'
import { Link, useLocation } from '../router.tsx'
import { roleText, useSession } from '../session.tsx'
import { InvoiceForm, PaymentTable, ReportUploadForm } from './Provider.tsx'

function scheduleText(l: Line): string {
  const s = l.schedule
  if (s.kind === 'monthly') return 'Månedligt'
  const every =
    s.everyWeeks === 1 ? 'hver uge' : s.everyWeeks === 2 ? 'hver anden uge' : `hver ${s.everyWeeks}. uge`
  return `${s.hours} timer ${every}, ${weekdayLabel[s.weekday - 1] ?? ''} fra ${formatDate(s.from)}`
}

const pendingStates = ['Draft', 'Proposed', 'AwaitingSignatures', 'Pending']

export function LinesTable({ lines, caption }: { lines: Line[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="table table--compact table--responsive-headers">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Ydelse</th>
            <th scope="col" className="amount">
              Pris
            </th>
            <th scope="col">Omfang</th>
            <th scope="col">Periode</th>
            <th scope="col">Sørger for</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr key={l.id}>
              <td>{l.name}</td>
              <td className="amount">
                {formatKr(l.priceOre)} {unitLabel[l.unit]}
              </td>
              <td>{scheduleText(l)}</td>
              <td>
                {formatDate(l.start)}
                {l.end ? ` – ${formatDate(l.end)}` : ' og frem'}
                {l.reviewDate ? <div className="form-hint">Revurderes {formatDate(l.reviewDate)}</div> : null}
              </td>
              <td>{l.arrangedBy === 'municipality' ? 'Kommunen' : 'Leverandøren'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function VersionDiff({ before, after }: { before: AgreementVersion; after: AgreementVersion }) {
  const changes = diffLines(before.lines, after.lines)
  const label = { added: 'Tilføjet', removed: 'Fjernet', changed: 'Ændret', same: 'Uændret' } as const
  return (
    <div className="table-wrap">
      <table className="table table--compact table--responsive-headers">
        <caption>
          Ændringer fra version {before.version} til version {after.version}
        </caption>
        <thead>
          <tr>
            <th scope="col">Ydelse</th>
            <th scope="col">Ændring</th>
            <th scope="col">Før</th>
            <th scope="col">Efter</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => (
            <tr key={`${c.kind}-${c.name}`} className={c.kind === 'same' ? undefined : `diff-${c.kind}`}>
              <td>{c.name}</td>
              <td>{label[c.kind]}</td>
              <td>{c.kind === 'same' ? '' : (c.before ?? '')}</td>
              <td>{c.after ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function SignatureList({ list, empty }: { list: Signature[]; empty: string }) {
  if (list.length === 0) return <p>{empty}</p>
  return (
    <ul>
      {list.map((s) => (
        <li key={`${s.name}-${s.version}-${s.at ?? ''}`}>
          {s.name}
          {s.role ? ` (${roleText(s.role)}${s.organisation ? `, ${s.organisation}` : ''})` : ''}, version{' '}
          {s.version}
          {s.at ? `, ${formatDateTime(s.at)}` : ''}
        </li>
      ))}
    </ul>
  )
}

export function ProofBlock({ proof }: { proof: Proof | null | undefined }) {
  if (!proof) return <p>Aftalen er endnu ikke registreret i ledgeren.</p>
  const t =
    typeof proof.blockTime === 'string' && /^\d+$/.test(proof.blockTime)
      ? Number(proof.blockTime)
      : proof.blockTime
  return (
    <DefinitionList
      items={[
        [
          'Transaktion',
          <span key="tx" className="mono">
            {proof.txHash}
          </span>,
        ],
        ['Blok', String(proof.blockNumber)],
        ['Tidspunkt', formatDateTime(t)],
        [
          'Underskrivere (adresser)',
          <ul key="signers" className="nobullet-list mb-0">
            {proof.signers.map((s) => (
              <li key={s} className="mono">
                {s}
              </li>
            ))}
          </ul>,
        ],
      ]}
    />
  )
}

function ReviewForm({
  a,
  onDone,
  chosenLine,
}: {
  a: AgreementDetail
  onDone: () => void
  /** The line a "review due" task pointed at (?revurdering=<lineId>); the form scrolls into view. */
  chosenLine?: string | null
}) {
  const reviewable = a.lines.filter((l) => l.reviewDate || a.reviewDate)
  const initial = reviewable.find((l) => l.id === chosenLine)?.id ?? reviewable[0]?.id ?? ''
  const [v, setV] = useState({ lineId: initial, decision: 'continue', until: '' })
  const [ok, setOk] = useState<string | null>(null)
  const f = useFormErrors()
  const formRef = useRef<HTMLFormElement>(null)
  const wanted = chosenLine !== undefined && chosenLine !== null
  useEffect(() => {
    if (wanted) formRef.current?.scrollIntoView({ block: 'start' })
  }, [wanted])
  if (reviewable.length === 0) return null
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    setOk(null)
    const errors: Errors = {}
    if (!v.lineId) errors['review-line'] = 'Vælg ydelsen'
    if (v.decision === 'continue' && !v.until) errors['review-until'] = 'Angiv hvor længe ydelsen fortsætter'
    else if (v.until && !isIsoDate(v.until)) errors['review-until'] = 'Datoen er ikke gyldig'
    await f.submit(errors, async () => {
      await api.review(a.id, {
        lineId: v.lineId,
        decision: v.decision as 'continue' | 'adjust' | 'end',
        ...(v.until ? { until: v.until } : {}),
      })
      setOk('Afgørelsen er registreret.')
      onDone()
    })
  }
  return (
    <form ref={formRef} id="revurdering" onSubmit={onSubmit} noValidate aria-labelledby="review-heading">
      <h3 id="review-heading">Revurdering</h3>
      <ErrorSummary errors={f.errors} summaryRef={f.summaryRef} />
      {f.failure && (
        <Alert kind="error" heading="Afgørelsen blev ikke registreret">
          {f.failure}
        </Alert>
      )}
      {ok && <Alert kind="success" heading={ok} />}
      <SelectField
        id="review-line"
        label="Ydelse"
        value={v.lineId}
        onChange={(x) => setV({ ...v, lineId: x })}
        options={reviewable.map((l) => ({
          value: l.id,
          label: `${l.name}${l.reviewDate ? ` (revurderes ${formatDate(l.reviewDate)})` : ''}`,
        }))}
        error={f.errors['review-line']}
      />
      <RadioField
        id="review-decision"
        legend="Afgørelse"
        value={v.decision}
        onChange={(x) => setV({ ...v, decision: x })}
        options={[
          { value: 'continue', label: 'Fortsæt ydelsen' },
          { value: 'adjust', label: 'Justér ydelsen (laver et tillæg)' },
          { value: 'end', label: 'Afslut ydelsen' },
        ]}
      />
      {v.decision === 'continue' && (
        <TextField
          id="review-until"
          label="Fortsætter til og med"
          type="date"
          value={v.until}
          onChange={(x) => setV({ ...v, until: x })}
          error={f.errors['review-until']}
        />
      )}
      <button type="submit" className="button button-primary" disabled={f.busy}>
        Registrér afgørelse
      </button>
    </form>
  )
}

export function AgreementPage({ id }: { id: string }) {
  const { me, ledger } = useSession()
  const { query } = useLocation()
  const a = useAsync(() => api.agreement(id), [id])
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  const role = me.person.role

  const act = async (label: string, fn: () => Promise<unknown>) => {
    setBusy(true)
    setMessage(null)
    try {
      await fn()
      setMessage({ kind: 'success', text: label })
      a.reload()
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof Error ? err.message : String(err) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <Loaded a={a} what="aftalen">
      {(ag) => {
        // The newest version is the one to sign or approve: an amendment adds a version while the
        // agreement itself stays active on the previous one.
        const version = Math.max(ag.version ?? 1, ...(ag.versions ?? []).map((v) => v.version))
        const latestState = ag.versions?.find((v) => v.version === version)?.state ?? ag.state
        const mine = (s: Signature) =>
          s.version === version && (s.personId ? s.personId === me.person.id : s.name === me.person.name)
        const signedByMe = (ag.signatures ?? []).some(mine)
        const approvedByMe = (ag.approvals ?? []).some(mine)
        const awaitingSignatures = ag.state === 'Draft' || pendingStates.includes(latestState)
        const awaitingApproval = ag.state === 'AwaitingApproval' || latestState === 'AwaitingApproval'
        const canSign =
          awaitingSignatures && (role === 'caseworker' || role === 'provider_signatory') && !signedByMe
        const canApprove =
          awaitingApproval && (role === 'centre_chief' || role === 'director') && !approvedByMe
        const pt = ag.pendingTermination
        const canSignTermination =
          pt &&
          (role === 'caseworker' || role === 'provider_signatory') &&
          !(pt.signedBy ?? []).some((s) =>
            s.personId ? s.personId === me.person.id : s.name === me.person.name,
          )
        const caseworker = role === 'caseworker' || role === 'admin'
        const provider = role === 'provider_signatory'
        const versions = [...(ag.versions ?? [])].sort((x, y) => x.version - y.version)
        return (
          <Page title={ag.title ?? 'Aftale'}>
            <p>
              <StateBadge state={ag.state} /> Version {version}
            </p>
            {message && (
              <Alert
                kind={message.kind}
                heading={message.kind === 'success' ? message.text : 'Handlingen mislykkedes'}
              >
                {message.kind === 'error' ? message.text : undefined}
              </Alert>
            )}
            <DefinitionList
              items={[
                ['Leverandør', ag.provider?.name],
                ['Kommune', ag.municipality?.name],
                [
                  'Periode',
                  ag.start
                    ? `${formatDate(ag.start)}${ag.end ? ` – ${formatDate(ag.end)}` : ' og frem'}`
                    : undefined,
                ],
                ['Pris pr. måned', ag.monthlyValueOre ? formatKr(ag.monthlyValueOre) : undefined],
                ['Ophører', ag.terminationDate ? formatDate(ag.terminationDate) : undefined],
                [
                  'Hovedaftale',
                  ag.mainAgreementId ? (
                    <Link key="main" to={`/aftaler/${encodeURIComponent(ag.mainAgreementId)}`}>
                      Gå til hovedaftalen
                    </Link>
                  ) : undefined,
                ],
                [
                  'Tilknyttede aftaler',
                  (ag.relatedAgreementIds ?? []).length > 0 ? (
                    <ul key="related" className="nobullet-list mb-0">
                      {(ag.relatedAgreementIds ?? []).map((r, i) => (
                        <li key={r}>
                          <Link to={`/aftaler/${encodeURIComponent(r)}`}>Tilknyttet aftale {i + 1}</Link>
                        </li>
                      ))}
                    </ul>
                  ) : undefined,
                ],
                [
                  'Sag',
                  ag.caseId && role !== 'provider_signatory' ? (
                    <Link key="case" to={`/sager/${encodeURIComponent(ag.caseId)}`}>
                      Gå til sagen
                    </Link>
                  ) : undefined,
                ],
              ]}
            />
            {(ag.state === 'AwaitingMain' || (ag.state === 'AwaitingApproval' && ag.mainAgreementId)) && (
              <Alert kind="info" heading="Aftalen følger hovedaftalen">
                Den bliver aktiv, når hovedaftalen er godkendt.
              </Alert>
            )}
            {ag.state !== 'Draft' && awaitingSignatures && (
              <Alert kind="info" heading={`Version ${version} venter på underskrifter`} />
            )}
            {pt && (
              <Alert
                kind="warning"
                heading={`Ophør pr. ${formatDate(pt.effectiveDate)} venter på underskrift`}
              >
                {(pt.signedBy ?? []).length > 0
                  ? `Underskrevet af ${(pt.signedBy ?? []).map((s) => s.name).join(' og ')}.`
                  : undefined}
              </Alert>
            )}
            <div className="button-row-wrap">
              {canSignTermination && pt && (
                <button
                  type="button"
                  className="button button-primary"
                  disabled={busy}
                  onClick={() =>
                    act(`Du har underskrevet ophøret pr. ${formatDate(pt.effectiveDate)}.`, () =>
                      api.terminate(ag.id, { effectiveDate: pt.effectiveDate, kind: pt.kind }),
                    )
                  }
                >
                  Underskriv ophør
                </button>
              )}
              {canSign && (
                <button
                  type="button"
                  className="button button-primary"
                  disabled={busy}
                  onClick={() =>
                    act(`Du har underskrevet version ${version}.`, () => api.sign(ag.id, version))
                  }
                >
                  Underskriv aftalen
                </button>
              )}
              {canApprove && (
                <button
                  type="button"
                  className="button button-primary"
                  disabled={busy}
                  onClick={() =>
                    act(`Du har godkendt version ${version}.`, () => api.approve(ag.id, version))
                  }
                >
                  Godkend aftalen
                </button>
              )}
              {caseworker && ag.state === 'Active' && (
                <Link
                  to={`/aftaler/${encodeURIComponent(ag.id)}/tillaeg`}
                  className="button button-secondary"
                >
                  Lav tillæg
                </Link>
              )}
              {(caseworker || provider) && (ag.state === 'Active' || ag.state === 'AwaitingApproval') && (
                <Link to={`/aftaler/${encodeURIComponent(ag.id)}/ophoer`} className="button button-secondary">
                  Ophør aftalen
                </Link>
              )}
            </div>

            <h2>Ydelser</h2>
            <LinesTable lines={ag.lines} caption="Ydelser i den gældende version" />

            <h2>Forpligtelser</h2>
            <ObligationList agreement={ag} today={ledger?.date} reviewLink={caseworker} />

            {caseworker && ag.state === 'Active' && (
              <ReviewForm a={ag} onDone={a.reload} chosenLine={query.get('revurdering')} />
            )}

            <h2>Underskrifter og godkendelser</h2>
            <h3>Underskrifter</h3>
            <SignatureList list={ag.signatures ?? []} empty="Ingen har underskrevet endnu." />
            <h3>Godkendelser</h3>
            <SignatureList list={ag.approvals ?? []} empty="Ingen godkendelser endnu." />

            {versions.length > 1 && (
              <>
                <h2>Versioner</h2>
                {versions.slice(1).map((v, i) => (
                  <VersionDiff key={v.version} before={versions[i] as AgreementVersion} after={v} />
                ))}
                {versions.slice(0, -1).map((v) => (
                  <details key={v.version} className="details">
                    <summary className="details-summary">
                      <span className="details-summary-text">Vis version {v.version}</span>
                    </summary>
                    <div className="details-text">
                      <LinesTable lines={v.lines} caption={`Ydelser i version ${v.version}`} />
                    </div>
                  </details>
                ))}
              </>
            )}

            <h2>Statusrapporter</h2>
            {(ag.reports ?? []).length === 0 ? (
              <p>Ingen statusrapporter modtaget.</p>
            ) : (
              <ul>
                {(ag.reports ?? []).map((r) => (
                  <li key={r.id}>
                    <a href={links.document(r.id)} download>
                      {r.filename}
                    </a>
                    {r.receivedAt ? `, modtaget ${formatDateTime(r.receivedAt)}` : ''}
                  </li>
                ))}
              </ul>
            )}
            {provider && ag.state !== 'Draft' && <ReportUploadForm agreementId={ag.id} onDone={a.reload} />}

            {((ag.invoices ?? []).length > 0 || provider) && (
              <>
                <h2>Fakturaer</h2>
                {(ag.invoices ?? []).length === 0 ? (
                  <p>Ingen fakturaer.</p>
                ) : (
                  <div className="table-wrap">
                    <table className="table table--compact table--responsive-headers">
                      <caption className="sr-only">Fakturaer</caption>
                      <thead>
                        <tr>
                          <th scope="col">Måned</th>
                          <th scope="col">Ydelse</th>
                          <th scope="col">Antal</th>
                          <th scope="col" className="amount">
                            Beløb
                          </th>
                          <th scope="col">Status</th>
                        </tr>
                      </thead>
                      <tbody>
                        {(ag.invoices ?? []).map((inv) => (
                          <tr key={inv.id}>
                            <td>{formatMonth(inv.period)}</td>
                            <td>{inv.lineName ?? ag.lines.find((l) => l.id === inv.lineId)?.name ?? ''}</td>
                            <td>
                              {inv.quantity}
                              {inv.expectedQuantity !== undefined && inv.expectedQuantity !== inv.quantity
                                ? ` (aftalt: ${inv.expectedQuantity})`
                                : ''}
                            </td>
                            <td className="amount">{formatKr(inv.amountOre)}</td>
                            <td>
                              <span
                                className={`badge badge-${inv.status === 'deviation' ? 'error' : 'success'}`}
                              >
                                {inv.status === 'deviation' ? 'Afvigelse' : 'Godkendt'}
                              </span>
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
                {provider && ag.state === 'Active' && <InvoiceForm agreement={ag} onDone={a.reload} />}
              </>
            )}

            <h2>Betalinger</h2>
            <PaymentTable payments={ag.payments ?? []} caption="Betalinger på aftalen" />

            <h2>Tidslinje</h2>
            {(ag.timeline ?? []).length === 0 ? (
              <p>Intet endnu.</p>
            ) : (
              <ol>
                {keyed([...(ag.timeline ?? [])].sort((x, y) => (x.at < y.at ? -1 : 1))).map(([k, t]) => (
                  <li key={k}>
                    <strong>{formatWhen(t.at)}</strong>: {t.text}
                  </li>
                ))}
              </ol>
            )}

            <h2>Bevis i ledgeren</h2>
            <p>
              Aftalen er registreret i en ledger, der deles mellem kommuner. Alle kan kontrollere, at den ikke
              er ændret i det skjulte. Ingen personoplysninger ligger i ledgeren.
            </p>
            <ProofBlock proof={ag.proof} />
          </Page>
        )
      }}
    </Loaded>
  )
}
