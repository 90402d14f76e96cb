/** The text of a PDF as a reader would copy it (pdf-parse), whitespace collapsed, for assertions. */
import { PDFParse } from 'pdf-parse'

export async function pdfText(pdf: Uint8Array): Promise<{ text: string; pages: number }> {
  const parser = new PDFParse({ data: pdf })
  try {
    const r = await parser.getText()
    return { text: r.text.replace(/\s+/g, ' '), pages: r.total }
  } finally {
    await parser.destroy()
  }
}
