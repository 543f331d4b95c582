// The newsletter form: what it shows, and how its fields become a NewsletterInput. The schedule
// is checked with the core's checkSchedule, and its message is shown beside the field it is
// about; the core checks everything else (and says what is wrong).
import { isCoreError } from '../../core/errors.js';
import { checkSchedule } from '../../core/newsletter-schedule.js';
import { formValue, formValues } from '../../http/forms.js';
import type { NewsletterFilters, NewsletterInput, NewsletterPatch } from '../../store/newsletters.js';
import { newsletterFilters } from '../../store/newsletters.js';
import type { NewsletterRow, SourceRow } from '../../store/schema.js';
import { listField } from './context.js';
import { csrfField, h } from './layout.js';

export interface NewsletterForm {
  slug: string;
  name: string;
  language: string;
  cron: string;
  timezone: string;
  grace: string;
  maxItems: string;
  lookback: string;
  template: string;
  sections: boolean;
  include: string;
  exclude: string;
  categories: string;
  sources: number[];
}

// The store's column defaults (migration 0002), so a newsletter added here is the one the CLI and
// the API add when the same fields are left alone.
export const BLANK: NewsletterForm = {
  slug: '',
  name: '',
  language: 'en',
  cron: '0 8 * * *',
  timezone: 'UTC',
  grace: '360',
  maxItems: '20',
  lookback: '24',
  template: 'digest',
  sections: false,
  include: '',
  exclude: '',
  categories: '',
  sources: [],
};

export function formOfRow(n: NewsletterRow): NewsletterForm {
  const f = newsletterFilters(n);
  return {
    slug: n.slug,
    name: n.name,
    language: n.language,
    cron: n.cron,
    timezone: n.timezone,
    grace: String(n.catch_up_grace_minutes),
    maxItems: String(n.max_items),
    lookback: String(n.lookback_hours),
    template: n.template,
    sections: n.sections === 1,
    include: (f.include ?? []).join('\n'),
    exclude: (f.exclude ?? []).join('\n'),
    categories: (f.categories ?? []).join('\n'),
    sources: f.sources ?? [],
  };
}

export function formOfBody(body: unknown): NewsletterForm {
  const v = (name: string) => (formValue(body, name) ?? '').trim();
  return {
    slug: v('slug'),
    name: v('name'),
    language: v('language') || 'en',
    cron: v('cron').replace(/\s+/g, ' '),
    timezone: v('timezone'),
    grace: v('grace'),
    maxItems: v('max_items'),
    lookback: v('lookback'),
    template: v('template'),
    sections: v('sections') === 'on',
    include: v('include'),
    exclude: v('exclude'),
    categories: v('categories'),
    sources: formValues(body, 'sources')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0),
  };
}

/** The schedule's problem (the core's one check), filed under the field it is about. */
export function scheduleErrors(form: NewsletterForm): { cron?: string; timezone?: string } {
  try {
    checkSchedule(form.cron, form.timezone, new Date());
    return {};
  } catch (err) {
    if (!isCoreError(err)) throw err;
    return err.field === 'timezone' ? { timezone: err.message } : { cron: err.message };
  }
}

const whole = (s: string): number => (/^-?\d+$/.test(s) ? Number(s) : Number.NaN);

export function inputOf(form: NewsletterForm): NewsletterPatch {
  const filters: NewsletterFilters = {
    include: listField(form.include),
    exclude: listField(form.exclude),
    categories: listField(form.categories),
    sources: form.sources,
  };
  return {
    name: form.name,
    language: form.language as NewsletterInput['language'],
    cron: form.cron,
    timezone: form.timezone,
    catchUpGraceMinutes: whole(form.grace),
    maxItems: whole(form.maxItems),
    lookbackHours: whole(form.lookback),
    template: form.template,
    sections: form.sections,
    filters,
  };
}

let zones: string[] | undefined;
const timeZones = () => (zones ??= Intl.supportedValuesOf('timeZone'));

export interface FormView {
  action: string;
  csrf: string;
  creating: boolean;
  errors: { cron?: string; timezone?: string };
  /** The next runs to show under the schedule (already formatted), when known. */
  runs?: string[];
  sources: readonly Pick<SourceRow, 'id' | 'name'>[];
}

const fieldError = (e: string | undefined, id: string) => (e ? `<p class="error" id="${id}-error">${h(e)}</p>` : '');
const text = (id: string, label: string, value: string, extra = '') =>
  `<label for="${id}">${h(label)}</label><input type="text" id="${id}" name="${id}" value="${h(value)}"${extra}>`;
const area = (id: string, label: string, value: string, hint: string) =>
  `<label for="${id}">${h(label)}</label><textarea id="${id}" name="${id}">${h(value)}</textarea><span class="meta">${h(hint)}</span>`;

export function newsletterFormHtml(form: NewsletterForm, view: FormView): string {
  const lang = (code: string, label: string) => `<option value="${code}"${form.language === code ? ' selected' : ''}>${label}</option>`;
  const sourceBoxes = view.sources
    .map((s) => `<label><input type="checkbox" name="sources" value="${s.id}"${form.sources.includes(s.id) ? ' checked' : ''}> ${h(s.name)}</label>`)
    .join(' ');
  const runs = view.runs?.length
    ? `<p class="meta">Next runs:</p><ul class="runs" id="next-runs">${view.runs.map((r) => `<li>${h(r)}</li>`).join('')}</ul>`
    : '';
  return (
    `<form method="post" action="${h(view.action)}">${csrfField(view.csrf)}` +
    (view.creating ? text('slug', 'Slug (a-z, 0-9, "-"; used in archive addresses)', form.slug, ' required') : '') +
    text('name', 'Name', form.name, ' required') +
    `<label for="language">Language</label><select id="language" name="language">${lang('en', 'English')}${lang('zh', '中文')}</select>` +
    text('cron', 'Schedule (cron: minute hour day month weekday)', form.cron, ' required placeholder="0 8 * * *"') +
    fieldError(view.errors.cron, 'cron') +
    text('timezone', 'Time zone (IANA name)', form.timezone, ' required list="zones" placeholder="Asia/Shanghai"') +
    `<datalist id="zones">${timeZones()
      .map((z) => `<option value="${h(z)}">`)
      .join('')}</datalist>` +
    fieldError(view.errors.timezone, 'timezone') +
    runs +
    '<p><button type="submit" name="intent" value="preview" class="secondary">Preview schedule</button></p>' +
    text('grace', 'Catch-up grace (minutes a missed run may still go out late)', form.grace, ' inputmode="numeric"') +
    text('max_items', 'Max items per digest', form.maxItems, ' inputmode="numeric"') +
    text('lookback', 'Lookback for the first digest (hours)', form.lookback, ' inputmode="numeric"') +
    text('template', 'Template', form.template) +
    `<p class="checks"><label><input type="checkbox" name="sections"${form.sections ? ' checked' : ''}> Group into sections by category</label></p>` +
    area('include', 'Include keywords', form.include, 'One per line; an article must match one of them. Empty: every article.') +
    area('exclude', 'Exclude keywords', form.exclude, 'One per line; articles matching any are left out.') +
    area('categories', 'Categories', form.categories, 'One per line; only articles in one of these categories.') +
    `<label>Sources</label><p class="checks">${sourceBoxes || '<span class="meta">No sources yet.</span>'}</p><span class="meta">None ticked: every source.</span>` +
    `<p><button type="submit" name="intent" value="save">${view.creating ? 'Create newsletter' : 'Save changes'}</button></p></form>`
  );
}
