// User-supplied template directories: fallback file by file, loud failures naming file and line.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { personalize } from '../../src/digest/personalize.js';
import { renderEmail } from '../../src/digest/render-email.js';
import { BUNDLED_EMAIL_TEMPLATES, TemplateError, createTemplateCache, locateLine } from '../../src/digest/templates.js';
import { model, RECIPIENT, SENDER } from './email-fixtures.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tidings-templates-'));
  await mkdir(path.join(dir, 'partials'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bundled = (name: string) => readFile(path.join(BUNDLED_EMAIL_TEMPLATES, name), 'utf8');

async function renderError(opts: { templatesDir: string }): Promise<TemplateError> {
  const err = await renderEmail(model(), SENDER, { ...opts, cache: createTemplateCache() }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TemplateError);
  return err as TemplateError;
}

describe('templates directory', () => {
  it('uses the user files that exist and the bundled ones for the rest', async () => {
    await writeFile(path.join(dir, 'subject.hbs'), '[{{newsletter.slug}}] {{recipient.name}}: {{firstTitle}}\n');
    const footer = (await bundled('partials/footer.mjml')).replace('{{sender.organization}}', 'Custom footer of {{sender.organization}}');
    await writeFile(path.join(dir, 'partials/footer.mjml'), footer);
    const rendered = await renderEmail(model(), SENDER, { templatesDir: dir, cache: createTemplateCache() });
    expect(rendered.html).toContain('Custom footer of Cotton Growers Association');
    expect(rendered.html).toContain('Also reported by'); // bundled card partial
    const { subject } = personalize(rendered, { ...RECIPIENT, name: 'Bob\r\nBcc: evil@example.com' });
    expect(subject).toMatch(/^\[cotton-daily\] Bob Bcc: evil@example\.com: Cotton futures climb/);
  });

  it('picks up an edited template on the next render', async () => {
    const cache = createTemplateCache();
    await writeFile(path.join(dir, 'subject.hbs'), 'first {{date}}');
    expect((await renderEmail(model(), SENDER, { templatesDir: dir, cache })).subject).toBe('first 24 November 2026');
    await writeFile(path.join(dir, 'subject.hbs'), 'second edition {{date}}');
    expect((await renderEmail(model(), SENDER, { templatesDir: dir, cache })).subject).toBe('second edition 24 November 2026');
  });

  it('rejects triple-stash and {{& }} output, naming the file and line', async () => {
    await writeFile(path.join(dir, 'partials/header.mjml'), '<mj-section>\n<mj-column>\n<mj-text>{{{newsletter.name}}}</mj-text></mj-column></mj-section>');
    const err = await renderError({ templatesDir: dir });
    expect(err.template).toBe('partials/header.mjml');
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/partials\/header\.mjml:3: unescaped output/);

    await writeFile(path.join(dir, 'partials/header.mjml'), '<mj-section><mj-column><mj-text>ok</mj-text></mj-column></mj-section>');
    await writeFile(path.join(dir, 'digest.txt.hbs'), 'line one\n{{& title}}\n');
    expect((await renderError({ templatesDir: dir })).message).toMatch(/digest\.txt\.hbs:2: unescaped output/);
  });

  it('rejects mj-include: partials are Handlebars partials', async () => {
    await writeFile(path.join(dir, 'digest.mjml'), '<mjml>\n<mj-body>\n<mj-include path="/etc/passwd" />\n</mj-body>\n</mjml>');
    const err = await renderError({ templatesDir: dir });
    expect(err.message).toMatch(/digest\.mjml:3: <mj-include> is not supported/);
  });

  it('fails strict MJML validation loudly, with the template file and line', async () => {
    const card = (await bundled('partials/article-card.mjml')).replace('<mj-text>{{summary}}</mj-text>', '<mj-text colour="red">{{summary}}</mj-text>');
    await writeFile(path.join(dir, 'partials/article-card.mjml'), card);
    const err = await renderError({ templatesDir: dir });
    const line = card.split('\n').findIndex((l) => l.includes('colour=')) + 1;
    expect(err.template).toBe('partials/article-card.mjml');
    expect(err.line).toBe(line);
    expect(err.message).toContain(`partials/article-card.mjml:${line}`);
    expect(err.message).toContain('Attribute colour is illegal');
    expect(err.details).toHaveLength(3); // one per card
  });

  it('reports Handlebars syntax errors and unknown fields with the template name', async () => {
    await writeFile(path.join(dir, 'subject.hbs'), '{{#if date}}unclosed');
    expect((await renderError({ templatesDir: dir })).message).toMatch(/subject\.hbs: Parse error on line 1/);
    await writeFile(path.join(dir, 'subject.hbs'), '{{newsletter.nmae}}');
    expect((await renderError({ templatesDir: dir })).message).toMatch(/subject\.hbs .*"nmae" not defined/);
  });

  it('refuses a templates directory that does not exist', async () => {
    const err = await renderError({ templatesDir: path.join(dir, 'nope') });
    expect(err.message).toMatch(/does not exist/);
  });
});

describe('locateLine', () => {
  it('maps an expanded line back to the template line with mustaches as wildcards', () => {
    const sources = [
      { name: 'a.mjml', path: '/a', source: '<mj-body>\n  {{#each x}}\n  <mj-text>{{t}}</mj-text>\n{{/each}}' },
      { name: 'partials/b.mjml', path: '/b', source: '<mj-image src="{{u}}" alt="{{t}}" />' },
    ];
    expect(locateLine('  <mj-text>Hello &amp; bye</mj-text>', 'mj-text', sources)).toEqual({ name: 'a.mjml', line: 3 });
    expect(locateLine('<mj-image src="https://x/y.png" alt="" />', 'mj-image', sources)).toEqual({ name: 'partials/b.mjml', line: 1 });
    expect(locateLine('<mj-button>z</mj-button>', 'mj-button', sources)).toBeNull();
  });
});

describe('mj-include spelled across mustaches', () => {
  it('is still refused before MJML runs', async () => {
    await writeFile(path.join(dir, 'digest.mjml'), '<mjml><mj-body><mj-in{{!x}}clude path="/etc/passwd" /></mj-body></mjml>');
    const err = await renderError({ templatesDir: dir });
    expect(err.message).toMatch(/digest\.mjml \(line 1 after expansion\): <mj-include> is not supported/);
  });
});
