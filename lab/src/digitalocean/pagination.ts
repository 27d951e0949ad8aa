// DigitalOcean's page/per_page pagination: a page of items, links.pages with absolute URLs
// (first/prev/next/last, only those that exist) and meta.total.

export interface Page<T> {
  items: T[];
  links: { pages?: Record<string, string> };
  meta: { total: number };
}

export function paginate<T>(all: T[], query: URLSearchParams, url: URL): Page<T> {
  const perPage = Number(query.get("per_page") ?? 20);
  const page = Number(query.get("page") ?? 1);
  const lastPage = Math.max(1, Math.ceil(all.length / perPage));
  const linkTo = (n: number) => {
    const target = new URL(url);
    target.searchParams.set("page", String(n));
    target.searchParams.set("per_page", String(perPage));
    return target.toString();
  };
  const pages: Record<string, string> = {};
  if (page > 1) Object.assign(pages, { first: linkTo(1), prev: linkTo(Math.min(page - 1, lastPage)) });
  if (page < lastPage) Object.assign(pages, { next: linkTo(page + 1), last: linkTo(lastPage) });
  return {
    items: all.slice((page - 1) * perPage, page * perPage),
    links: Object.keys(pages).length > 0 ? { pages } : {},
    meta: { total: all.length },
  };
}
