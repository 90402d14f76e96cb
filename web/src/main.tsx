import 'dkfds-dist/css/dkfds.min.css'
import './app.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.tsx'
import { watchResponsiveTables } from './responsiveTables.ts'

const root = document.getElementById('root')
if (root) {
  watchResponsiveTables(root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  )
}
