import { type FormEvent, useMemo, useState } from 'react'
import {
  type AgreementState,
  api,
  type CitizenAgreement,
  type CitizenOverview,
  type Line,
  links,
} from '../api.ts'
import {
  Alert,
  clearSessionState,
  ErrorSummary,
  type Errors,
  keyed,
  Loaded,
  Page,
  RadioField,
  SelectField,
  TextAreaField,
  TextField,
  useAsync,
  useFormErrors,
  useSessionState,
} from '../components/ui.tsx'
import { formatDate, formatDateTime, formatKr, weekdayLabel } from '../format.ts'
import { roleText } from '../session.tsx'

const plainState: Record<AgreementState, string> = {
  Draft: 'Aftalen er ved at blive lavet',
  AwaitingApproval: 'Aftalen venter på at blive godkendt i kommunen',
  AwaitingMain: 'Aftalen venter på, at hovedaftalen bliver godkendt',
  Active: 'Aftalen gælder',
  Terminated: 'Aftalen er stoppet',
  Expired: 'Aftalen er udløbet',
}

const perUnit: Record<string, string> = { month: 'om måneden', hour: 'i timen', session: 'pr. gang' }

/** The API's explanations, so the page and the export explain the words alike. */
function Glossary({ words }: { words: Record<string, string> }) {
  const entries = Object.entries(words)
  if (entries.length === 0) return null
  return (
    <section aria-labelledby="glossary-heading" className="mt-6">
      <h2 id="glossary-heading">Hvad betyder ordene?</h2>
      <dl className="facts">
        {entries.map(([word, meaning]) => (
          <div className="facts-row" key={word}>
            <dt>{word.charAt(0).toUpperCase() + word.slice(1)}</dt>
            <dd>{meaning}</dd>
          </div>
        ))}
      </dl>
    </section>
  )
}

/** How often a session-priced service happens, e.g. ", 4 timer hver 2. søndag". */
function howOften(l: Line): string {
  const s = l.schedule
  if (!s || s.kind !== 'sessions') return ''
  const every = s.everyWeeks === 1 ? '' : `${s.everyWeeks}. `
  return `, ${s.hours} timer hver ${every}${weekdayLabel[s.weekday - 1] ?? ''}`
}

/** The agreement's coming dates as sentences, soonest first (the API's list, or derived from its fields). */
function nextDates(a: CitizenAgreement): { key: string; text: string }[] {
  if (a.nextDates)
    return a.nextDates.map((d) => ({
      key: `${d.kind}-${d.date}-${d.text}`,
      text: `${d.text} ${formatDate(d.date)}`,
    }))
  const out: { key: string; text: string }[] = []
  if (a.nextReportDue)
    out.push({ key: 'report', text: `Næste statusrapport skal komme senest ${formatDate(a.nextReportDue)}` })
  if (a.reviewDate)
    out.push({ key: 'review', text: `Kommunen ser på hjælpen igen ${formatDate(a.reviewDate)}` })
  if (a.end) out.push({ key: 'end', text: `Aftalen slutter ${formatDate(a.end)}` })
  return out
}

/** ", registreret 16. januar 2026" from the block time (seconds or ISO), or nothing. */
function registeredOn(blockTime: number | string | undefined): string {
  if (blockTime === undefined || blockTime === '') return ''
  const at = typeof blockTime === 'string' && /^\d+$/.test(blockTime) ? Number(blockTime) : blockTime
  const day = formatDate(
    typeof at === 'number' ? new Date(at * 1000).toISOString().slice(0, 10) : at.slice(0, 10),
  )
  return day ? `, registreret ${day}` : ''
}

function AgreementCard({ a }: { a: CitizenAgreement }) {
  const dates = nextDates(a)
  return (
    <li>
      <h3>
        {a.title ?? 'Aftale'}
        {a.provider ? ` hos ${a.provider.name}` : ''}
      </h3>
      <p>
        <strong>{plainState[a.state] ?? a.state}</strong>
        {a.start ? `, fra ${formatDate(a.start)}` : ''}
        {a.end ? ` til ${formatDate(a.end)}` : ''}.
      </p>
      {a.explanation && <p>{a.explanation}</p>}
      <h4>Det betaler kommunen for</h4>
      <ul>
        {a.lines.map((l) => (
          <li key={l.id}>
            {l.name}: {formatKr(l.priceOre)} {perUnit[l.unit] ?? ''}
            {howOften(l)},{' '}
            {l.end ? `fra ${formatDate(l.start)} til ${formatDate(l.end)}` : `fra ${formatDate(l.start)}`}
          </li>
        ))}
      </ul>
      {dates.length > 0 && (
        <>
          <h4>Næste datoer</h4>
          <ul>
            {dates.map((d) => (
              <li key={d.key}>{d.text}</li>
            ))}
          </ul>
        </>
      )}
      {a.proof && (
        <p className="mb-0">
          Denne aftale er registreret og kan ikke ændres i det skjulte. Reference:{' '}
          <span className="mono">{a.proof.txHash}</span>
          {registeredOn(a.proof.blockTime)}. Med referencen kan en revisor eller en anden kontrollere, at
          aftalen er den samme, som blev underskrevet.
        </p>
      )}
    </li>
  )
}

export function CitizenOverviewPage() {
  const o = useAsync(() => api.citizenOverview(), [])
  return (
    <Page title="Mit overblik">
      <Loaded a={o} what="dit overblik">
        {(ov) =>
          ov.cases.length === 0 ? (
            <p>Der er ingen sager om dig eller dit barn.</p>
          ) : (
            <>
              {ov.cases.map((c) => (
                <section key={c.id} aria-labelledby={`case-${c.id}`}>
                  <h2 id={`case-${c.id}`}>{c.childName ? `${c.title} – ${c.childName}` : c.title}</h2>
                  {c.statusText && <p>Status for sagen: {c.statusText}.</p>}
                  <p>
                    Her kan du se de aftaler, kommunen har lavet. En aftale fortæller, hvad kommunen betaler
                    for, hvem der giver hjælpen, og hvor længe.
                  </p>
                  <ul className="card-list">
                    {c.agreements.map((a) => (
                      <AgreementCard key={a.id} a={a} />
                    ))}
                  </ul>
                  <h3>Dokumenter</h3>
                  {(c.documents ?? []).length === 0 ? (
                    <p>Der er ingen dokumenter, du kan se endnu.</p>
                  ) : (
                    <ul>
                      {(c.documents ?? []).map((d) => (
                        <li key={d.id}>
                          <a href={links.document(d.id)} download>
                            {d.filename}
                          </a>
                          {d.receivedAt ? `, modtaget ${formatDate(d.receivedAt)}` : ''}
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
              ))}
              <Glossary words={ov.glossary ?? {}} />
            </>
          )
        }
      </Loaded>
    </Page>
  )
}

export function CitizenAccessLogPage() {
  const log = useAsync(() => api.citizenAccessLog(), [])
  const [text, setText] = useState('')
  const [org, setOrg] = useState('')
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const entries = log.data ?? []
  const orgs = useMemo(
    () => [...new Set(entries.map((e) => e.organisation).filter((x): x is string => Boolean(x)))].sort(),
    [entries],
  )
  const shown = entries
    .filter((e) => {
      const day = e.at.slice(0, 10)
      const hay = `${e.personName} ${roleText(e.role)} ${e.what} ${e.why ?? ''}`.toLowerCase()
      return (
        (!text || hay.includes(text.toLowerCase())) &&
        (!org || e.organisation === org) &&
        (!from || day >= from) &&
        (!to || day <= to)
      )
    })
    .sort((a, b) => (a.at < b.at ? 1 : -1))
  return (
    <Page title="Hvem har set mine data">
      <p>
        Hver gang en medarbejder åbner din sag eller dit barns sag, bliver det skrevet her: hvem, hvornår,
        hvad de så, og hvorfor. Det nyeste står øverst.
      </p>
      <Loaded a={log} what="loggen">
        {() => (
          <>
            <search aria-label="Filtrér loggen" className="filters">
              <TextField
                id="log-search"
                label="Søg"
                hint="Navn, rolle eller hvad"
                value={text}
                onChange={setText}
              />
              <SelectField
                id="log-org"
                label="Organisation"
                value={org}
                onChange={setOrg}
                placeholder="Alle"
                options={orgs.map((x) => ({ value: x, label: x }))}
              />
              <TextField id="log-from" label="Fra dato" type="date" value={from} onChange={setFrom} />
              <TextField id="log-to" label="Til dato" type="date" value={to} onChange={setTo} />
            </search>
            <p aria-live="polite">
              Viser {shown.length} af {entries.length} opslag.
            </p>
            {shown.length > 0 && (
              <ul className="card-list" aria-label="Opslag">
                {keyed(shown).map(([k, e]) => (
                  <li key={k}>
                    <p className="mb-2">
                      <strong>
                        <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                      </strong>
                    </p>
                    <p className="mb-2">
                      {e.personName}
                      {e.role ? `, ${roleText(e.role).toLowerCase()}` : ''}
                      {e.organisation ? `, ${e.organisation}` : ''}
                    </p>
                    <p className="mb-2">Hvad: {e.what}</p>
                    {e.why && <p className="mb-0">Hvorfor: {e.why}</p>}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Loaded>
    </Page>
  )
}

export function CitizenExportPage() {
  return (
    <Page title="Eksport">
      <p>
        Du kan hente alt, hvad Tillid ved om din sag eller dit barns sag: aftaler, ydelser, datoer, dokumenter
        og loggen over, hvem der har set data.
      </p>
      <ul className="nobullet-list">
        <li className="mb-4">
          <a className="button button-primary" href={links.exportPdf} download>
            Hent som PDF (til at læse)
          </a>
        </li>
        <li>
          <a className="button button-secondary" href={links.exportJson} download>
            Hent som JSON (til andre systemer)
          </a>
        </li>
      </ul>
      <p className="form-hint">
        JSON-filen bruger de samme feltnavne som kommunernes sags- og ydelsesindeks, så andre systemer kan
        læse den. At du henter dine data, bliver også skrevet i loggen.
      </p>
    </Page>
  )
}

const MAX_TEXT = 2000

function ContributeForm({ ov, onDone }: { ov: CitizenOverview; onDone: () => void }) {
  const [v, setV] = useSessionState('contribution', { caseId: ov.cases[0]?.id ?? '', kind: '', text: '' })
  const [ok, setOk] = useState(false)
  const f = useFormErrors()
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    setOk(false)
    const errors: Errors = {}
    if (!v.caseId) errors['contribution-case'] = 'Vælg hvilken sag det handler om'
    if (!v.kind) errors['contribution-kind'] = 'Vælg om det er en kommentar eller en rettelse'
    if (!v.text.trim()) errors['contribution-text'] = 'Skriv hvad du vil sige til kommunen'
    else if (v.text.length > MAX_TEXT) errors['contribution-text'] = `Teksten må højst være ${MAX_TEXT} tegn`
    await f.submit(
      errors,
      async () => {
        await api.contribute({
          caseId: v.caseId,
          kind: v.kind as 'comment' | 'correction',
          text: v.text.trim(),
        })
        clearSessionState('contribution')
        setV({ caseId: v.caseId, kind: '', text: '' })
        setOk(true)
        onDone()
      },
      (field) => `contribution-${field === 'caseId' ? 'case' : field}`,
    )
  }
  return (
    <>
      <ErrorSummary errors={f.errors} summaryRef={f.summaryRef} />
      {f.failure && (
        <Alert kind="error" heading="Din besked blev ikke sendt">
          {f.failure}
        </Alert>
      )}
      {ok && (
        <Alert kind="success" heading="Tak – din besked er sendt">
          Din sagsbehandler får den som en opgave. Svaret kommer her på siden.
        </Alert>
      )}
      <form onSubmit={onSubmit} noValidate>
        {ov.cases.length > 1 && (
          <SelectField
            id="contribution-case"
            label="Sag"
            value={v.caseId}
            onChange={(x) => setV({ ...v, caseId: x })}
            options={ov.cases.map((c) => ({ value: c.id, label: c.title }))}
            error={f.errors['contribution-case']}
          />
        )}
        <RadioField
          id="contribution-kind"
          legend="Hvad vil du?"
          value={v.kind}
          onChange={(x) => setV({ ...v, kind: x })}
          error={f.errors['contribution-kind']}
          options={[
            { value: 'comment', label: 'Skrive en kommentar' },
            { value: 'correction', label: 'Bede om at få noget rettet' },
          ]}
        />
        <TextAreaField
          id="contribution-text"
          label="Din besked"
          hint="Skriv med dine egne ord. Hvis noget er forkert, så skriv hvad der står, og hvad der er rigtigt."
          value={v.text}
          onChange={(x) => setV({ ...v, text: x })}
          error={f.errors['contribution-text']}
          maxLength={MAX_TEXT}
        />
        <button type="submit" className="button button-primary" disabled={f.busy}>
          Send til kommunen
        </button>
      </form>
    </>
  )
}

export function CitizenContributePage() {
  const o = useAsync(() => api.citizenOverview(), [])
  return (
    <Page title="Bidrag">
      <p>
        Du kan skrive en kommentar til sagen eller bede kommunen rette noget, der er forkert. Din
        sagsbehandler svarer dig her.
      </p>
      <Loaded a={o} what="dine sager">
        {(ov) => (
          <>
            <ContributeForm ov={ov} onDone={o.reload} />
            <h2>Dine tidligere beskeder</h2>
            {ov.cases.flatMap((c) => c.contributions ?? []).length === 0 ? (
              <p>Du har ikke sendt nogen beskeder endnu.</p>
            ) : (
              <ul className="card-list">
                {ov.cases
                  .flatMap((c) => c.contributions ?? [])
                  .map((k) => (
                    <li key={k.id}>
                      <p className="mb-2">
                        <strong>{k.kind === 'correction' ? 'Bedt om rettelse' : 'Kommentar'}</strong>
                        {k.createdAt ? `, ${formatDateTime(k.createdAt)}` : ''}
                      </p>
                      <p>{k.text}</p>
                      <p className="mb-0">
                        {k.answer ? (
                          <>
                            <strong>Svar fra kommunen:</strong> {k.answer}
                          </>
                        ) : (
                          'Kommunen har ikke svaret endnu.'
                        )}
                      </p>
                    </li>
                  ))}
              </ul>
            )}
          </>
        )}
      </Loaded>
    </Page>
  )
}
