import { links } from '../api.ts'
import { Page } from '../components/ui.tsx'

export function LandingPage({ returnTo }: { returnTo: string }) {
  return (
    <Page title="Tillid – aftaler om sociale indsatser">
      <div className="landing-hero">
        <p className="font-lead">
          Tillid samler aftaler mellem kommuner og leverandører om anbringelser, botilbud og andre sociale
          indsatser. Hver aftale, underskrift, godkendelse og betaling bliver registreret, så ingen kan ændre
          den i det skjulte.
        </p>
        <p>
          Medarbejdere i kommunen og hos leverandører logger ind med deres arbejdslogin. Borgere og forældre
          med forældremyndighed logger ind med MitID og kan se deres egne aftaler, og hvem der har set deres
          data.
        </p>
        <a className="button button-primary" href={links.login(returnTo === '/' ? '/' : returnTo)}>
          Log ind
        </a>
      </div>
      <h2>Det kan du i Tillid</h2>
      <ul>
        <li>Oprette, underskrive og godkende aftaler med leverandører</li>
        <li>Se hvad der skal betales hver måned – og hvorfor en betaling holdes tilbage</li>
        <li>Kontrollere at intet er ændret, siden det blev registreret</li>
        <li>Som borger: se dine aftaler, hvem der har set dine data, og hente det hele</li>
      </ul>
    </Page>
  )
}
