// What the subscribers commands share before any module loads: the status names for --help
// (the statuses themselves are checked by the core).

/** For --help, which must not load the store: the same list as SUBSCRIPTION_STATUSES. */
export const SUBSCRIPTION_STATUS_NAMES = 'pending | active | unsubscribed | bounced | blocked';
