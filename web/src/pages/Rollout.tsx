/**
 * "Udrulning": Tillid's rollout across the 98 municipalities (docs/analytics.md). National overview,
 * one key figure compared across municipalities, and one municipality's page. Every chart has its
 * numbers as a table beside it; small counts about citizens arrive from the API as "<5".
 */
import type { EChartsCoreOption } from 'echarts/core'
import type { ReactNode } from 'react'
import { Chart } from '../components/Chart.tsx'
import { Alert, Loaded, Page, SelectField, useAsync } from '../components/ui.tsx'
import {
  CONNECTION_LABELS,
  type ConnectionCounts,
  formatValue,
  type KpiLine,
  type Monthly,
  monthName,
  quarterName,
  recentQuarters,
  rolloutApi,
  TILE_KPIS,
  type Value,
} from '../rollout.ts'
import { Link, navigate, useLocation } from '../router.tsx'
import './rollout.css'

const STATUSES = ['klarmeldt', 'delvis', 'nej', 'irrelevant'] as const
// dkfds' palette: success, warning, error, grey.
const STATUS_COLOURS = ['#358000', '#d48a00', '#b51d09', '#747474']

const KPI_LABEL_SHORT: Record<string, string> = {
  klarmeldtShare: 'Klarmeldt',
  reportsOnTimeShare: 'Statusrapporter til tiden',
  paymentsWithheld: 'Betalinger tilbageholdt',
  withheldKr: 'Tilbageholdt beløb',
  paymentsReleased: 'Betalinger frigivet',
  releasedKr: 'Frigivet beløb',
  maxDaysPaidAfterTermination: 'Dage betalt efter ophør',
  medianDaysDraftToActive: 'Dage fra kladde til aktiv',
  invoicesWithDeviations: 'Fakturaer med afvigelser',
}

function useQuarter(): [string | undefined, (q: string) => void] {
  const loc = useLocation()
  const quarter = loc.query.get('kvartal') ?? undefined
  const set = (q: string) => {
    const next = new URLSearchParams(loc.query)
    next.set('kvartal', q)
    navigate(`${loc.path}?${next.toString()}`, { replace: true })
  }
  return [quarter, set]
}

function withQuarter(path: string, quarter: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}kvartal=${quarter}`
}

function QuarterPicker({ quarter, onChange }: { quarter: string; onChange: (q: string) => void }) {
  return (
    <SelectField
      id="kvartal"
      label="Kvartal"
      value={quarter}
      onChange={onChange}
      options={recentQuarters(quarter).map((q) => ({ value: q, label: quarterName(q) }))}
    />
  )
}

function RolloutNav({ quarter }: { quarter: string }) {
  const { path } = useLocation()
  const items = [
    { to: '/udrulning', label: 'Landsoverblik' },
    { to: '/udrulning/sammenlign', label: 'Sammenlign kommuner' },
  ]
  return (
    <nav aria-label="Udrulning" className="rollout-subnav">
      <ul className="unstyled-list">
        {items.map((i) => (
          <li key={i.to}>
            <Link to={withQuarter(i.to, quarter)} aria-current={path === i.to ? 'page' : undefined}>
              {i.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}

function Notes({ synthetic, threshold }: { synthetic: boolean; threshold: number }) {
  return (
    <>
      {synthetic && (
        <Alert kind="warning" heading="Syntetiske data">
          Tallene er helt eller delvist syntetiske (tillid seed-national) og beskriver ingen rigtige kommuner.
        </Alert>
      )}
      <p className="rollout-note">
        Antal under {threshold}, der handler om borgere, vises som «&lt;{threshold}», og enkelte andre tal
        skjules også, så de skjulte ikke kan regnes ud fra totaler.
      </p>
    </>
  )
}

function Tiles({ kpis }: { kpis: KpiLine[] }) {
  const byId = new Map(kpis.map((k) => [k.id, k]))
  return (
    <ul className="rollout-tiles unstyled-list" aria-label="Nøgletal">
      {TILE_KPIS.map((id) => {
        const k = byId.get(id)
        if (!k) return null
        const warn =
          id === 'maxDaysPaidAfterTermination' && typeof k.value === 'number' && k.value > 0
            ? 'Betalt efter ophør: skal være højst 0'
            : null
        return (
          <li key={id} className={`rollout-tile${warn ? ' rollout-tile-warn' : ''}`} data-kpi={id}>
            <span className="rollout-tile-label">{KPI_LABEL_SHORT[id] ?? k.label}</span>
            <span className="rollout-tile-value">{k.text}</span>
            <span className="rollout-tile-sub">
              {warn ?? (k.previous !== '–' ? `Forrige kvartal: ${k.previous}` : ' ')}
            </span>
          </li>
        )
      })}
    </ul>
  )
}

function KpiTable({ kpis, withMedian, caption }: { kpis: KpiLine[]; withMedian: boolean; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="table table--compact table--responsive-headers rollout-kpis">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Trin</th>
            <th scope="col">Nøgletal</th>
            <th scope="col">Kvartalet</th>
            <th scope="col">Forrige kvartal</th>
            <th scope="col">Ændring</th>
            {withMedian && <th scope="col">Landsmedian</th>}
          </tr>
        </thead>
        <tbody>
          {kpis.map((k) => (
            <tr key={k.id}>
              <td>{k.stage}</td>
              <th scope="row">{k.label}</th>
              <td>{k.text}</td>
              <td>{k.previous}</td>
              <td>{k.change}</td>
              {withMedian && <td>{k.median}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function connectionOption(rows: { label: string; counts: ConnectionCounts }[]): EChartsCoreOption {
  return {
    color: STATUS_COLOURS,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((r) => r.label), inverse: true },
    series: STATUSES.map((s) => ({
      name: CONNECTION_LABELS[s],
      type: 'bar',
      stack: 'status',
      data: rows.map((r) => r.counts[s]),
    })),
  }
}

function ConnectionChart({
  rows,
  title,
}: {
  rows: { label: string; counts: ConnectionCounts }[]
  title: string
}) {
  const total = (s: (typeof STATUSES)[number]) => rows.reduce((a, r) => a + r.counts[s], 0)
  const summary = STATUSES.map((s) => `${CONNECTION_LABELS[s].toLowerCase()} ${total(s)}`).join(', ')
  return (
    <Chart
      title={title}
      summary={`Leverandører og systemer: ${summary}.`}
      option={connectionOption(rows)}
      height={Math.max(160, 60 + rows.length * 36)}
    >
      <div className="table-wrap">
        <table className="table table--compact table--responsive-headers">
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{rows.length > 1 ? 'Region' : 'Kommune'}</th>
              {STATUSES.map((s) => (
                <th key={s} scope="col">
                  {CONNECTION_LABELS[s]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                {STATUSES.map((s) => (
                  <td key={s}>{r.counts[s]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Chart>
  )
}

function MonthlyChart({ monthly }: { monthly: Monthly[] }) {
  const fmt = new Intl.NumberFormat('da-DK')
  const title = 'API-kald og hændelser pr. måned'
  return (
    <Chart
      title={title}
      summary={monthly
        .map(
          (m) =>
            `${monthName(m.month)}: ${fmt.format(m.apiCalls)} API-kald, ${fmt.format(m.events)} hændelser`,
        )
        .join('; ')}
      option={{
        color: ['#0059b3', '#8a2be2'],
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: monthly.map((m) => monthName(m.month)) },
        yAxis: [
          { type: 'value', name: 'API-kald', minInterval: 1 },
          { type: 'value', name: 'Hændelser', minInterval: 1 },
        ],
        series: [
          { name: 'API-kald', type: 'bar', data: monthly.map((m) => m.apiCalls) },
          { name: 'Hændelser', type: 'line', yAxisIndex: 1, data: monthly.map((m) => m.events) },
        ],
      }}
    >
      <div className="table-wrap">
        <table className="table table--compact table--responsive-headers">
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Måned</th>
              <th scope="col">API-kald</th>
              <th scope="col">Hændelser</th>
            </tr>
          </thead>
          <tbody>
            {monthly.map((m) => (
              <tr key={m.month}>
                <th scope="row">{monthName(m.month)}</th>
                <td>{fmt.format(m.apiCalls)}</td>
                <td>{fmt.format(m.events)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Chart>
  )
}

function BreakdownTable({ title, rows }: { title: string; rows: { key: string; active: Value }[] }) {
  if (rows.length === 0) return null
  return (
    <div className="table-wrap">
      <table className="table table--compact table--responsive-headers">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{title.startsWith('Aktive aftaler pr. KLE') ? 'KLE-emne' : 'Skabelon'}</th>
            <th scope="col">Aktive aftaler</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.key}</th>
              <td>{formatValue('agreementsActive', r.active)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="rollout-section">
      <h2>{title}</h2>
      {children}
    </section>
  )
}

export function RolloutNationalPage() {
  const [quarter, setQuarter] = useQuarter()
  const data = useAsync(() => rolloutApi.national(quarter), [quarter])
  return (
    <Page
      title="Udrulning: landsoverblik"
      lead="Tilslutning, udbredelse og anvendelse af Tillid i landets 98 kommuner."
    >
      <Loaded a={data} what="udrulningens tal">
        {(d) => (
          <>
            <RolloutNav quarter={d.quarter} />
            <QuarterPicker quarter={d.quarter} onChange={setQuarter} />
            <Notes synthetic={d.synthetic} threshold={d.threshold} />
            <Section title={`Nøgletal, ${d.quarterLabel}`}>
              <Tiles kpis={d.kpis} />
            </Section>
            <Section title="Tilslutning">
              <ConnectionChart
                title="Tilslutningsstatus pr. region (leverandør og system)"
                rows={d.connectionByRegion.map((r) => ({
                  label: r.region.replace(/^Region /, ''),
                  counts: r,
                }))}
              />
            </Section>
            <Section title="Anvendelse pr. måned">
              <MonthlyChart monthly={d.monthly} />
            </Section>
            <Section title="Alle nøgletal med udvikling">
              <KpiTable kpis={d.kpis} withMedian={false} caption={`Hele landet, ${d.quarterLabel}`} />
            </Section>
            <Section title="Langt fra medianen">
              {d.anomalies.length === 0 ? (
                <p>Ingen kommuner ligger langt fra medianen i kvartalet.</p>
              ) : (
                <ul>
                  {d.anomalies.map((a) => (
                    <li key={`${a.code}-${a.kpi}`}>
                      <Link to={withQuarter(`/udrulning/kommuner/${a.code}`, d.quarter)}>{a.name}</Link>:{' '}
                      {anomalyText(a)}
                    </li>
                  ))}
                </ul>
              )}
            </Section>
            <Section title="Kommuner">
              <MunicipalityPicker municipalities={d.municipalities} quarter={d.quarter} />
            </Section>
          </>
        )}
      </Loaded>
    </Page>
  )
}

const ANOMALY_LABEL: Record<string, string> = {
  apiCallsPer1000: 'API-kald pr. 1.000 indbyggere',
  eventsPer1000: 'hændelser pr. 1.000 indbyggere',
  activePer1000: 'aktive aftaler pr. 1.000 indbyggere',
  reportsOnTimeShare: 'statusrapporter til tiden',
  medianDaysDraftToActive: 'dage fra kladde til aktiv',
  deviationShare: 'andel fakturaer med afvigelser',
}

function anomalyText(a: { kpi: string; value: number; median: number; direction: 'high' | 'low' }): string {
  const v = (x: number) => formatValue(a.kpi, x)
  return `${ANOMALY_LABEL[a.kpi] ?? a.kpi} ${v(a.value)} – ${a.direction === 'high' ? 'langt over' : 'langt under'} medianen (${v(a.median)})`
}

function MunicipalityPicker({
  municipalities,
  quarter,
}: {
  municipalities: { code: number; name: string }[]
  quarter: string
}) {
  return (
    <SelectField
      id="kommune"
      label="Gå til en kommune"
      value=""
      placeholder="Vælg kommune"
      onChange={(code) => code && navigate(withQuarter(`/udrulning/kommuner/${code}`, quarter))}
      options={[...municipalities]
        .sort((a, b) => a.name.localeCompare(b.name, 'da'))
        .map((m) => ({ value: String(m.code), label: `${m.name} (${m.code})` }))}
    />
  )
}

const COMPARE_DEFAULT = 'activePer1000'

export function RolloutComparePage() {
  const loc = useLocation()
  const [quarter, setQuarter] = useQuarter()
  const kpi = loc.query.get('noegletal') ?? COMPARE_DEFAULT
  const data = useAsync(() => rolloutApi.compare(kpi, quarter), [kpi, quarter])
  // The KPI list (ids and Danish labels) comes with the national overview.
  const lines = useAsync(() => rolloutApi.national(quarter), [quarter])
  const setKpi = (k: string) => {
    const next = new URLSearchParams(loc.query)
    next.set('noegletal', k)
    navigate(`${loc.path}?${next.toString()}`, { replace: true })
  }
  return (
    <Page title="Udrulning: sammenlign kommuner" lead="Ét nøgletal for alle 98 kommuner, med landsmedianen.">
      <Loaded a={data} what="sammenligningen">
        {(d) => {
          const numeric = d.rows.filter((r) => typeof r.value === 'number')
          const top = numeric.slice(0, 20)
          const title = `${d.label}: de ${top.length} højeste`
          return (
            <>
              <RolloutNav quarter={d.quarter} />
              <div className="rollout-filters">
                <QuarterPicker quarter={d.quarter} onChange={setQuarter} />
                <SelectField
                  id="noegletal"
                  label="Nøgletal"
                  value={d.kpi}
                  onChange={setKpi}
                  options={(lines.data?.kpis ?? [{ id: d.kpi, label: d.label }]).map((k) => ({
                    value: k.id,
                    label: k.label,
                  }))}
                />
              </div>
              <Notes synthetic={d.synthetic} threshold={d.threshold} />
              <p>
                Hele landet: <strong>{formatValue(d.kpi, d.national)}</strong>
                {d.median !== null && (
                  <>
                    {' '}
                    · median blandt kommunerne: <strong>{formatValue(d.kpi, d.median)}</strong>
                  </>
                )}
              </p>
              {top.length > 0 && (
                <Chart
                  title={title}
                  summary={top.map((r) => `${r.name} ${formatValue(d.kpi, r.value)}`).join(', ')}
                  height={Math.max(200, 40 + top.length * 24)}
                  option={{
                    color: ['#0059b3'],
                    tooltip: { trigger: 'axis' },
                    grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
                    xAxis: { type: 'value' },
                    yAxis: { type: 'category', inverse: true, data: top.map((r) => r.name) },
                    series: [
                      {
                        name: d.label,
                        type: 'bar',
                        data: top.map((r) => ({
                          value: r.value as number,
                          itemStyle: r.anomaly ? { color: '#b51d09' } : undefined,
                        })),
                        markLine:
                          d.median === null
                            ? undefined
                            : { symbol: 'none', label: { formatter: 'Median' }, data: [{ xAxis: d.median }] },
                      },
                    ],
                  }}
                >
                  <p>Alle kommuners tal står i tabellen nedenfor.</p>
                </Chart>
              )}
              <div className="table-wrap">
                <table className="table table--compact table--responsive-headers">
                  <caption>{`${d.label}, ${quarterName(d.quarter)}`}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Kommune</th>
                      <th scope="col">Region</th>
                      <th scope="col">Kvartalet</th>
                      <th scope="col">Forrige kvartal</th>
                      <th scope="col">Bemærkning</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.rows.map((r) => (
                      <tr key={r.code} className={r.anomaly ? 'rollout-anomaly' : undefined}>
                        <th scope="row">
                          <Link to={withQuarter(`/udrulning/kommuner/${r.code}`, d.quarter)}>{r.name}</Link>
                        </th>
                        <td>{r.region.replace(/^Region /, '')}</td>
                        <td>{formatValue(d.kpi, r.value)}</td>
                        <td>{formatValue(d.kpi, r.previous)}</td>
                        <td>{r.anomaly ? 'Langt fra medianen' : ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )
        }}
      </Loaded>
    </Page>
  )
}

export function RolloutMunicipalityPage({ code }: { code: string }) {
  const [quarter, setQuarter] = useQuarter()
  const data = useAsync(() => rolloutApi.municipality(code, quarter), [code, quarter])
  return (
    <Loaded a={data} what="kommunens tal">
      {(d) => (
        <Page title={`Udrulning: ${d.municipality.name} Kommune`}>
          <RolloutNav quarter={d.quarter} />
          <p>
            Kommunekode {d.municipality.code} · {d.municipality.region} ·{' '}
            {d.municipality.inhabitants === null
              ? 'indbyggertal ikke indlæst'
              : `${new Intl.NumberFormat('da-DK').format(d.municipality.inhabitants)} indbyggere`}
          </p>
          <QuarterPicker quarter={d.quarter} onChange={setQuarter} />
          <Notes synthetic={d.synthetic} threshold={d.threshold} />
          <Section title={`Nøgletal, ${d.quarterLabel}`}>
            <Tiles kpis={d.kpis} />
          </Section>
          {d.anomalies.length > 0 && (
            <Alert kind="warning" heading="Langt fra medianen">
              <ul>
                {d.anomalies.map((a) => (
                  <li key={a.kpi}>{anomalyText(a)}</li>
                ))}
              </ul>
            </Alert>
          )}
          <Section title="Tilslutning">
            <ConnectionChart
              title="Tilslutningsstatus (leverandør og system)"
              rows={[{ label: d.municipality.name, counts: d.connection }]}
            />
          </Section>
          <Section title="Anvendelse pr. måned">
            <MonthlyChart monthly={d.monthly} />
          </Section>
          <Section title="Alle nøgletal">
            <KpiTable kpis={d.kpis} withMedian caption={`${d.municipality.name}, ${d.quarterLabel}`} />
          </Section>
          <Section title="Udbredelse">
            <BreakdownTable title="Aktive aftaler pr. KLE-emne" rows={d.activeByKle} />
            <BreakdownTable title="Aktive aftaler pr. skabelon" rows={d.activeByTemplate} />
            {d.activeByKle.length === 0 && <p>Ingen aktive aftaler i kvartalet.</p>}
          </Section>
          <p>
            <Link to={withQuarter('/udrulning/sammenlign', d.quarter)}>Sammenlign med de andre kommuner</Link>
          </p>
        </Page>
      )}
    </Loaded>
  )
}
