// What one process of the service does. One process runs them all by default; `--role` splits
// them across processes (e.g. one `web`, several `worker`s) that share one PostgreSQL.
export const ROLES = ['web', 'scheduler', 'ingest', 'worker', 'bot'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_HELP: Record<Role, string> = {
  web: 'HTTP: archive, subscriber pages, admin UI and API, health and metrics',
  scheduler: 'fires each newsletter on its schedule (builds the digest and its deliveries)',
  ingest: 'fetches each source on its own interval and summarizes new articles',
  worker: 'sends the deliveries (email, Telegram)',
  bot: 'answers the Telegram bot (long polling)',
};

/** "all", or a comma-separated list of roles; null with the reason when a name is unknown. */
export function parseRoles(text: string): { roles: ReadonlySet<Role> } | { problem: string } {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0 || names.includes('all')) return { roles: new Set(ROLES) };
  const unknown = names.filter((n) => !(ROLES as readonly string[]).includes(n));
  if (unknown.length)
    return {
      problem: `unknown role${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}: use all, or a comma-separated list of ${ROLES.join(', ')}`,
    };
  return { roles: new Set(names as Role[]) };
}
