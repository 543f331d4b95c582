// Preview: the digest a newsletter would send now, built exactly as send-now and the schedule
// build it, but without claiming a slot or recording anything (no article is used up). The copy
// is the archive reader's: real links in place of the per-recipient placeholders.
import { type BuildDeps, buildDigest } from '../digest/build.js';
import { type SenderInfo, digestItems } from '../digest/model.js';
import { personalize } from '../digest/personalize.js';
import type { TelegramPart } from '../digest/render-telegram.js';
import { archiveRecipient } from '../http/archive.js';
import type { DigestWindow } from '../store/digests.js';
import type { NewsletterRow } from '../store/schema.js';
import type { CoreContext } from './context.js';
import { findNewsletter, type NewsletterKey } from './newsletters.js';

export interface PreviewContext extends Pick<CoreContext, 'db' | 'now' | 'log'> {
  render: BuildDeps['render'];
  /** Whose footer the preview shows and where its links point. */
  sender: SenderInfo;
}

export interface PreviewItem {
  articleId: number;
  title: string;
  reasons: string[];
}

export type Preview =
  | {
      status: 'ready';
      newsletter: NewsletterRow;
      subject: string;
      html: string;
      text: string;
      telegram: TelegramPart[];
      items: PreviewItem[];
      window?: DigestWindow;
    }
  /** No article in the window matches the newsletter: there is nothing to show. */
  | { status: 'empty'; newsletter: NewsletterRow; reason: string; window?: DigestWindow };

/** Not a change, so not audited. */
export async function previewNewsletter(ctx: PreviewContext, key: NewsletterKey): Promise<Preview> {
  const newsletter = await findNewsletter(ctx, key);
  const result = await buildDigest({ db: ctx.db, now: ctx.now, log: ctx.log, render: ctx.render }, newsletter, ctx.now(), { preview: true });
  if (result.status !== 'ready' || !result.model || !result.parts)
    return { status: 'empty', newsletter, reason: result.reason ?? 'nothing to preview', window: result.window };
  const copy = personalize(result.parts, archiveRecipient(ctx.sender));
  const items = digestItems(result.model).map((i) => ({ articleId: i.articleId, title: i.title, reasons: i.reasons }));
  return { status: 'ready', newsletter, ...copy, telegram: result.parts.telegram as TelegramPart[], items, window: result.window };
}
