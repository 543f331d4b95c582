// What the subscribers commands share before any module loads: list options and the status
// names for --help (the statuses themselves are checked by the core).

/** Comma-separated and repeatable, like the newsletter filter options. */
export function collectList(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(/[,，]/)
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

/** For --help, which must not load the store: the same list as SUBSCRIPTION_STATUSES. */
export const SUBSCRIPTION_STATUS_NAMES = 'pending | active | unsubscribed | bounced | blocked';
