import { type FormEvent, useState } from 'react'
import { type AgreementSummary, api, links } from '../api.ts'
import { CaseContributions } from '../components/CaseContributions.tsx'
import {
  clearSessionState,
  DefinitionList,
  ErrorSummary,
  type Errors,
  keyed,
  Loaded,
  Page,
  StateBadge,
  TextField,
  useAsync,
  useFormErrors,
  useSessionState,
} from '../components/ui.tsx'
import { formatDate, formatDateTime, formatKr, formatWhen, isCprShape } from '../format.ts'
import { Link, navigate } from '../router.tsx'
import { roleText, useSession } from '../session.tsx'
import { CaseTasks } from './Tasks.tsx'

const caseStatusLabel: Record<string, string> = {
  Opstaaet: 'Oprettet',
  Oplyst: 'Oplyst',
  Afgjort: 'Afgjort',
  Afsluttet: 'Afsluttet',
}

export function CasesPage() {
  const cases = useAsync(() => api.cases(), [])
  const { me } = useSession()
  return (
    <Page title="Sager">
      {(me.person.role === 'caseworker' || me.person.role === 'admin') && (
        <p>
          <Link to="/sager/ny" className="button button-primary">
            Opret sag
          </Link>
        </p>
      )}
      <Loaded a={cases} what="sager">
        {(list) =>
          list.length === 0 ? (
            <p>Der er ingen sager.</p>
          ) : (
            <div className="table-wrap">
              <table className="table table--compact table--responsive-headers">
                <caption className="sr-only">Sager</caption>
                <thead>
                  <tr>
                    <th scope="col">Sag</th>
                    <th scope="col">Sagsnummer</th>
                    <th scope="col">Status</th>
                    <th scope="col">KLE</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <Link to={`/sager/${encodeURIComponent(c.id)}`}>{c.title}</Link>
                      </td>
                      <td>{c.sagsnummer ?? ''}</td>
                      <td>{c.status ? (caseStatusLabel[c.status] ?? c.status) : ''}</td>
                      <td>{c.kle ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </Page>
  )
}

const FORM_KEY = 'new-case'

export function NewCasePage() {
  const { me } = useSession()
  const [kept, setKept] = useSessionState(FORM_KEY, { title: '', name: '', kle: me.kle[0] ?? '27.24.00' })
  // The CPR number stays in memory only: it is never written to the browser's storage.
  const [cpr, setCpr] = useState('')
  const v = { ...kept, cpr }
  const f = useFormErrors()
  const set = (k: keyof typeof v) => (x: string) => (k === 'cpr' ? setCpr(x) : setKept({ ...kept, [k]: x }))

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    const errors: Errors = {}
    if (!v.title.trim()) errors.title = 'Angiv sagens titel'
    if (!v.name.trim()) errors.name = 'Angiv borgerens navn'
    if (!v.cpr.trim()) errors.cpr = 'Angiv borgerens CPR-nummer'
    else if (!isCprShape(v.cpr))
      errors.cpr = 'CPR-nummeret skal være 10 cifre med en gyldig fødselsdato, fx 010216-1234'
    if (!/^\d{2}\.\d{2}\.\d{2}$/.test(v.kle.trim()))
      errors.kle = 'Angiv KLE-nummeret som tre talpar, fx 27.24.00'
    await f.submit(errors, async () => {
      const c = await api.createCase({
        title: v.title.trim(),
        name: v.name.trim(),
        cpr: v.cpr.replace(/[\s-]/g, ''),
        kle: v.kle.trim(),
      })
      clearSessionState(FORM_KEY)
      navigate(`/sager/${encodeURIComponent(c.id)}`)
    })
  }

  return (
    <Page title="Opret sag">
      <ErrorSummary errors={f.errors} summaryRef={f.summaryRef} />
      {f.failure && (
        <div className="alert alert-error" role="alert">
          <div className="alert-body">
            <p className="alert-heading">Sagen blev ikke oprettet</p>
            <p className="alert-text">{f.failure}</p>
          </div>
        </div>
      )}
      <form onSubmit={onSubmit} noValidate>
        <TextField
          id="title"
          label="Sagens titel"
          hint="Fx Anbringelse uden for hjemmet"
          value={v.title}
          onChange={set('title')}
          error={f.errors.title}
        />
        <TextField
          id="name"
          label="Borgerens navn"
          value={v.name}
          onChange={set('name')}
          error={f.errors.name}
        />
        <TextField
          id="cpr"
          label="CPR-nummer"
          hint="10 cifre, fx 010216-1234. Gemmes krypteret og kommer aldrig i ledgeren."
          value={v.cpr}
          onChange={set('cpr')}
          error={f.errors.cpr}
          width="s"
          inputMode="numeric"
        />
        <TextField
          id="kle"
          label="KLE-nummer"
          hint="Emne efter KL's Emnesystematik, fx 27.24.00 for anbringelse uden for hjemmet"
          value={v.kle}
          onChange={set('kle')}
          error={f.errors.kle}
          width="s"
        />
        <button type="submit" className="button button-primary" disabled={f.busy}>
          Opret sag
        </button>
      </form>
    </Page>
  )
}

export function AgreementTable({ list, caption }: { list: AgreementSummary[]; caption: string }) {
  if (list.length === 0) return <p>Ingen aftaler.</p>
  return (
    <div className="table-wrap">
      <table className="table table--compact table--responsive-headers">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Aftale</th>
            <th scope="col">Leverandør</th>
            <th scope="col">Status</th>
            <th scope="col">Periode</th>
            <th scope="col" className="amount">
              Pr. måned
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((a) => (
            <tr key={a.id}>
              <td>
                <Link to={`/aftaler/${encodeURIComponent(a.id)}`}>{a.title ?? a.id}</Link>
                {a.mainAgreementId && <div className="form-hint">Knyttet til hovedaftale</div>}
              </td>
              <td>{a.provider?.name ?? ''}</td>
              <td>
                <StateBadge state={a.state} />
              </td>
              <td>
                {a.start ? formatDate(a.start) : ''}
                {a.end ? ` – ${formatDate(a.end)}` : ''}
              </td>
              <td className="amount">{a.monthlyValueOre ? formatKr(a.monthlyValueOre) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function CasePage({ id }: { id: string }) {
  const { me } = useSession()
  const c = useAsync(() => api.case(id), [id])
  const agreements = useAsync(() => api.agreements(id), [id])
  const [showLog, setShowLog] = useState(false)
  const log = useAsync(() => (showLog ? api.accessLog(id) : Promise.resolve([])), [id, showLog])
  const canDraft = me.person.role === 'caseworker' || me.person.role === 'admin'
  return (
    <Loaded a={c} what="sagen">
      {(sag) => (
        <Page title={sag.title}>
          <DefinitionList
            items={[
              ['Sagsnummer', sag.sagsnummer],
              ['Status', sag.status ? (caseStatusLabel[sag.status] ?? sag.status) : undefined],
              ['KLE', sag.kle],
              ['Borger', sag.citizen?.name ?? sag.citizenName],
              ['CPR-nummer', sag.citizen?.cpr],
            ]}
          />
          <p className="form-hint">Dit opslag i sagen er skrevet i borgerens adgangslog.</p>

          <h2>Aftaler</h2>
          {canDraft && (
            <p>
              <Link to={`/aftaler/ny?caseId=${encodeURIComponent(id)}`} className="button button-primary">
                Opret aftale
              </Link>
            </p>
          )}
          <Loaded a={agreements} what="aftaler">
            {(list) => <AgreementTable list={list} caption="Sagens aftaler" />}
          </Loaded>
          <CaseTasks caseId={id} />

          <h2>Dokumenter</h2>
          {(sag.documents ?? []).length === 0 ? (
            <p>Ingen dokumenter.</p>
          ) : (
            <ul>
              {(sag.documents ?? []).map((d) => (
                <li key={d.id}>
                  <a href={links.document(d.id)} download>
                    {d.filename}
                  </a>
                  {d.receivedAt ? `, modtaget ${formatDateTime(d.receivedAt)}` : ''}
                </li>
              ))}
            </ul>
          )}

          {['caseworker', 'centre_chief', 'director'].includes(me.person.role) && (
            <CaseContributions caseId={id} canAnswer={me.person.role === 'caseworker'} />
          )}

          <h2>Tidslinje</h2>
          {(sag.timeline ?? []).length === 0 ? (
            <p>Intet endnu.</p>
          ) : (
            <ol className="timeline">
              {keyed([...(sag.timeline ?? [])].sort((a, b) => (a.at < b.at ? -1 : 1))).map(([k, t]) => (
                <li key={k}>
                  <strong>{formatWhen(t.at)}</strong>: {t.text}
                </li>
              ))}
            </ol>
          )}

          <h2>Adgangslog</h2>
          {!showLog ? (
            <button type="button" className="button button-secondary" onClick={() => setShowLog(true)}>
              Vis hvem der har set sagen
            </button>
          ) : (
            <Loaded a={log} what="adgangsloggen">
              {(entries) => <AccessLogTable entries={entries} caption="Adgang til sagen" />}
            </Loaded>
          )}
        </Page>
      )}
    </Loaded>
  )
}

export function AccessLogTable({
  entries,
  caption,
}: {
  entries: {
    at: string
    personName: string
    role?: string
    organisation?: string
    what: string
    why?: string
  }[]
  caption: string
}) {
  if (entries.length === 0) return <p>Ingen opslag.</p>
  const sorted = [...entries].sort((a, b) => (a.at < b.at ? 1 : -1))
  return (
    <div className="table-wrap">
      <table className="table table--compact table--responsive-headers">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Hvornår</th>
            <th scope="col">Hvem</th>
            <th scope="col">Organisation</th>
            <th scope="col">Hvad</th>
            <th scope="col">Hvorfor</th>
          </tr>
        </thead>
        <tbody>
          {keyed(sorted).map(([k, e]) => (
            <tr key={k}>
              <td>{formatDateTime(e.at)}</td>
              <td>
                {e.personName}
                {e.role ? <div className="form-hint">{roleText(e.role)}</div> : null}
              </td>
              <td>{e.organisation ?? ''}</td>
              <td>{e.what}</td>
              <td>{e.why ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
