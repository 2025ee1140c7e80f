// htmx 4's <hx-partial> element, which Kita's JSX types do not know.
declare namespace JSX {
  interface IntrinsicElements {
    'hx-partial': { 'hx-target': string; 'hx-swap'?: string; children?: unknown }
  }
}
