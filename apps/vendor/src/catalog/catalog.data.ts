/** Small in-code catalogs of the demo vendors: enough content to sell. */
export interface CatalogItem {
  readonly id: string;
  readonly title: string;
  /** Shown free; the body is what is paid for. */
  readonly teaser: string;
  readonly body: string;
}

export const ARTICLES: readonly CatalogItem[] = [
  {
    id: 'a1',
    title: 'Harbour bridge to close for a week of repairs',
    teaser: 'Commuters face detours from Monday.',
    body: 'The transport agency said the repairs to the deck joints cannot wait for the summer break...',
  },
  {
    id: 'a2',
    title: 'Local team wins the regional final in extra time',
    teaser: 'A late goal settled it.',
    body: 'In front of a sold-out crowd the home side came back from two goals down...',
  },
  {
    id: 'a3',
    title: 'Why micro-payments may save the local paper',
    teaser: 'Pay per article, not per year.',
    body: 'Readers who would never subscribe are happy to pay a few cents for the story they want...',
  },
];

export const CARDS: readonly CatalogItem[] = [
  {
    id: 'birthday',
    title: 'Happy birthday',
    teaser: 'Balloons and cake',
    body: '<svg><!-- balloons --></svg>',
  },
  { id: 'thanks', title: 'Thank you', teaser: 'Hand-drawn flowers', body: '<svg><!-- flowers --></svg>' },
  { id: 'congrats', title: 'Congratulations', teaser: 'Fireworks', body: '<svg><!-- fireworks --></svg>' },
];

export const CLIPS: readonly CatalogItem[] = [
  {
    id: 'm1',
    title: 'Morning raga (30 s)',
    teaser: 'sitar, tanpura',
    body: 'data:audio/ogg;base64,T2dnUwACAAAAAAAAAAA=',
  },
  {
    id: 'm2',
    title: 'Harbour blues (30 s)',
    teaser: 'slide guitar',
    body: 'data:audio/ogg;base64,T2dnUwACAAAAAAAAAAE=',
  },
];

/** What a listing shows: no body. */
export function listing(items: readonly CatalogItem[]): { id: string; title: string; teaser: string }[] {
  return items.map(({ id, title, teaser }) => ({ id, title, teaser }));
}
