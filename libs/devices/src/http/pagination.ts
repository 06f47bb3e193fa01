/** Keyset pagination lives in contracts (shared by every domain lib's HTTP edge). */
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  PageQueryDto,
  decodeCursor,
  encodeCursor,
  invalidCursor,
  pageSize,
  timestampKeySql,
  toPage,
  type Page,
} from '@landside/contracts';
