import { useState } from 'react'
import { api, type IntegrityResult, verifyIntegrityWithProgress } from '../api.ts'
import { Alert, Loaded, Page, SelectField, Spinner, useAsync } from '../components/ui.tsx'
import { ProofBlock } from './Agreement.tsx'

function count(x: IntegrityResult['mismatches']): number {
  return Array.isArray(x) ? x.length : x
}

export function AuditPage() {
  const [running, setRunning] = useState(false)
  const [result, setResult] = useState<IntegrityResult | null>(null)
  const [failure, setFailure] = useState<string | null>(null)
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null)
  const agreements = useAsync(() => api.agreements(), [])
  const [chosen, setChosen] = useState('')
  const proof = useAsync(() => (chosen ? api.agreement(chosen) : Promise.resolve(null)), [chosen])

  const run = async () => {
    setRunning(true)
    setResult(null)
    setFailure(null)
    setProgress(null)
    try {
      setResult(await verifyIntegrityWithProgress((done, total) => setProgress({ done, total })))
    } catch (err) {
      setFailure(err instanceof Error ? err.message : String(err))
    } finally {
      setRunning(false)
    }
  }

  const mismatches = result ? count(result.mismatches) : 0
  return (
    <Page title="Revision">
      <h2>Integritetstjek</h2>
      <p>
        Tjekket genberegner fingeraftrykket af hvert dokument og hver registrering hos kommunen og
        sammenligner med ledgeren. Én ændret byte bliver fundet.
      </p>
      <button type="button" className="button button-primary" onClick={run} disabled={running}>
        Kør integritetstjek
      </button>
      <div aria-live="polite">
        {running && !progress && <Spinner label="Kontrollerer alle registreringer mod ledgeren …" />}
        {running && progress && (
          <div className="form-group">
            <label className="form-label" htmlFor="integrity-progress">
              Kontrolleret {progress.done} af {progress.total} registreringer
            </label>
            <progress id="integrity-progress" max={Math.max(progress.total, 1)} value={progress.done} />
          </div>
        )}
        {failure && (
          <Alert kind="error" heading="Tjekket kunne ikke gennemføres">
            {failure}
          </Alert>
        )}
        {result && (
          <>
            <Alert
              kind={mismatches === 0 ? 'success' : 'error'}
              heading={
                mismatches === 0
                  ? `Alt stemmer: ${result.checked} registreringer kontrolleret`
                  : `${mismatches} afvigelser fundet blandt ${result.checked} registreringer`
              }
            >
              {count(result.erased) > 0
                ? `${count(result.erased)} er slettet efter reglerne og tæller ikke som fejl.`
                : undefined}
            </Alert>
            {Array.isArray(result.mismatches) && result.mismatches.length > 0 && (
              <div className="table-wrap">
                <table className="table table--compact table--responsive-headers">
                  <caption>Afvigelser</caption>
                  <thead>
                    <tr>
                      <th scope="col">Objekt</th>
                      <th scope="col">Id</th>
                      <th scope="col">Årsag</th>
                    </tr>
                  </thead>
                  <tbody>
                    {result.mismatches.map((m, i) => (
                      <tr key={`${m.object}-${m.id ?? i}`}>
                        <td>{m.object}</td>
                        <td className="mono">{m.id ?? ''}</td>
                        <td>{m.reason ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </div>

      <h2>Bevis for en aftale</h2>
      <p>
        Transaktion, blok, tidspunkt og underskrivernes adresser kan kontrolleres af alle med adgang til
        ledgeren.
      </p>
      <Loaded a={agreements} what="aftaler">
        {(list) => (
          <SelectField
            id="proof-agreement"
            label="Aftale"
            value={chosen}
            onChange={setChosen}
            placeholder="Vælg aftale"
            options={list.map((a) => ({
              value: a.id,
              label: `${a.title ?? a.id}${a.provider ? ` – ${a.provider.name}` : ''}`,
            }))}
          />
        )}
      </Loaded>
      {chosen && (
        <Loaded a={proof} what="beviset">
          {(ag) => (ag ? <ProofBlock proof={ag.proof} /> : null)}
        </Loaded>
      )}
    </Page>
  )
}
