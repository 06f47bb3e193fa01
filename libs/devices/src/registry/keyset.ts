import { DomainError, decodeCursor, type Page, type PageQueryDto } from '@landside/contracts';

/** The last id of the previous page, for lists ordered by id. */
export function idAfter(query: PageQueryDto): string | undefined {
  const key = decodeCursor(query.cursor);
  if (key === undefined) return undefined;
  const [id] = key;
  if (key.length !== 1 || typeof id !== 'string') throw invalidCursor();
  return id;
}

/** The (timestamp text, bigint id) of the previous page's last row, for lists ordered by time. */
export function timeKeyAfter(query: PageQueryDto): { at: string; id: string } | undefined {
  const key = decodeCursor(query.cursor);
  if (key === undefined) return undefined;
  const [at, id] = key;
  if (key.length !== 2 || typeof at !== 'string' || typeof id !== 'string' || !/^\d{1,19}$/.test(id) || Number.isNaN(Date.parse(at))) {
    throw invalidCursor();
  }
  return { at, id };
}

export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}

function invalidCursor(): DomainError {
  return new DomainError('invalid', 'cursor is not valid', { fields: { cursor: ['cursor is not valid'] } });
}

/** Microsecond-exact ISO text of a timestamptz column: a cursor must not lose what a JS Date drops. */
export function timestampKeySql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
