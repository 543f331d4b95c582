// A templates directory: main files plus Handlebars partials from `partials/`, each file taken
// from the user's directory when present there and from the bundled one otherwise.
//
// Escaping policy: every `{{value}}` is escaped (HTML templates) and the triple-stash `{{{…}}}` /
// `{{& …}}` is rejected at load time in every template, bundled or user-supplied. Rejecting is
// simpler to audit than "pre-escaped data": no template can ever print article data raw, and
// nothing our templates need is markup built from data (links and lists are written in the
// template itself). Plain-text templates are compiled without HTML escaping, since they are
// not HTML, and the triple-stash rule still holds there so one rule covers all files.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export const BUNDLED_EMAIL_TEMPLATES = fileURLToPath(new URL('../../templates/email/', import.meta.url));

/** A template that cannot be loaded, compiled, rendered or validated; says which file and line. */
export class TemplateError extends Error {
  constructor(
    message: string,
    /** The template's name inside its directory, e.g. "partials/article-card.mjml". */
    readonly template: string,
    readonly line: number | null = null,
    /** Individual messages (e.g. every MJML validation error), when there are several. */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

export interface TemplateSet {
  /** Main files by name (e.g. "digest.mjml") and whether their output is HTML (escaped). */
  files: Record<string, { html: boolean }>;
  /** File extension of partials in `partials/`; the partial name is the file name without it. */
  partialExt: string;
}

export interface TemplateSource {
  name: string;
  path: string;
  source: string;
}

export interface LoadedTemplates {
  /** Every file in use: main files and partials, user-supplied or bundled. */
  sources: TemplateSource[];
  render(name: string, view: object): string;
}

/** Loaded directories, reused while none of their files changed (checked by mtime and size). */
export interface TemplateCache {
  entries: Map<string, { signature: string; templates: LoadedTemplates }>;
}

export function createTemplateCache(): TemplateCache {
  return { entries: new Map() };
}

async function listPartials(dir: string, ext: string): Promise<string[]> {
  try {
    return (await readdir(path.join(dir, 'partials'))).filter((f) => f.endsWith(ext)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Which file serves each template name: the user's copy when it exists, else the bundled one. */
async function resolveFiles(userDir: string | undefined, bundledDir: string, set: TemplateSet) {
  const names = [...Object.keys(set.files)];
  const partials = new Set(await listPartials(bundledDir, set.partialExt));
  if (userDir) for (const p of await listPartials(userDir, set.partialExt)) partials.add(p);
  names.push(...[...partials].map((p) => `partials/${p}`));
  const files: { name: string; path: string; signature: string }[] = [];
  for (const name of names) {
    for (const dir of userDir ? [userDir, bundledDir] : [bundledDir]) {
      const file = path.join(dir, name);
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) continue;
      files.push({ name, path: file, signature: `${file}:${info.mtimeMs}:${info.size}` });
      break;
    }
    if (!files.some((f) => f.name === name)) throw new TemplateError(`template ${name} is missing from ${bundledDir}`, name);
  }
  return files;
}

/** Rejects what would let data escape its escaping or pull files in; returns the parsed template. */
function checkTemplate(name: string, source: string): hbs.AST.Program {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (err) {
    const line = /on line (\d+)/.exec((err as Error).message)?.[1];
    throw new TemplateError(`template ${name}: ${(err as Error).message}`, name, line ? Number(line) : null);
  }
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const n = node as { type?: string; escaped?: boolean; original?: unknown; loc?: hbs.AST.SourceLocation };
    const line = n.loc?.start.line ?? null;
    // Template text only (a {{! comment }} may mention the tag); `original` is before whitespace control.
    const text = n.type === 'ContentStatement' && typeof n.original === 'string' ? n.original : '';
    const include = /<mj-include\b/i.exec(text);
    if (include) {
      const at = (line ?? 1) + text.slice(0, include.index).split('\n').length - 1;
      throw new TemplateError(`template ${name}:${at}: <mj-include> is not supported; use a Handlebars partial ({{> name}}) from partials/`, name, at);
    }
    if (n.type === 'MustacheStatement' && n.escaped === false) {
      throw new TemplateError(`template ${name}:${line}: unescaped output ({{{…}}} or {{& …}}) is not allowed; use {{…}}, every value is escaped`, name, line);
    }
    if (n.type === 'Decorator' || n.type === 'DecoratorBlock') {
      throw new TemplateError(`template ${name}:${line}: decorators are not allowed`, name, line);
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'loc') visit(value);
  };
  visit(ast);
  return ast;
}

function compileAll(files: TemplateSource[], set: TemplateSet): LoadedTemplates {
  // An isolated environment: no partial or helper registered by other code leaks in, and only
  // the built-in block helpers (if, unless, each, with) exist.
  const env = Handlebars.create();
  const options = (html: boolean): CompileOptions => ({ strict: true, knownHelpersOnly: true, noEscape: !html });
  const mains = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of files) {
    const ast = checkTemplate(file.name, file.source);
    if (file.name.startsWith('partials/')) {
      const partial = file.name.slice('partials/'.length, -set.partialExt.length);
      env.registerPartial(partial, env.compile(ast, options(true)));
    } else {
      mains.set(file.name, env.compile(ast, options(set.files[file.name]?.html ?? true)));
    }
  }
  return {
    sources: files,
    render(name, view) {
      const template = mains.get(name);
      if (!template) throw new TemplateError(`no template named ${name}`, name);
      try {
        return template(view);
      } catch (err) {
        const message = (err as Error).message;
        const line = / - (\d+):\d+$/.exec(message)?.[1];
        throw new TemplateError(`template ${name} (or a partial it uses) failed: ${message}`, name, line ? Number(line) : null);
      }
    },
  };
}

type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>;

/** The templates of `set` from `userDir` (falling back to `bundledDir` file by file), compiled once per change. */
export async function loadTemplates(set: TemplateSet, bundledDir: string, userDir: string | undefined, cache: TemplateCache): Promise<LoadedTemplates> {
  const dir = userDir ? path.resolve(userDir) : undefined;
  if (dir && !(await stat(dir).catch(() => null))?.isDirectory()) {
    throw new TemplateError(`templates directory ${dir} does not exist or is not a directory`, dir);
  }
  const files = await resolveFiles(dir, bundledDir, set);
  const signature = files.map((f) => f.signature).join('\n');
  const key = `${dir ?? ''}\u0000${bundledDir}`;
  const hit = cache.entries.get(key);
  if (hit?.signature === signature) return hit.templates;
  const sources = await Promise.all(files.map(async (f) => ({ name: f.name, path: f.path, source: await readFile(f.path, 'utf8') })));
  const templates = compileAll(sources, set);
  cache.entries.set(key, { signature, templates });
  return templates;
}

/** Glob-style match of `target` against literal pieces with wildcards between them (linear, no regex backtracking). */
function matchesPieces(target: string, pieces: string[]): boolean {
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (pieces.length === 1) return target === first;
  if (!target.startsWith(first) || !target.endsWith(last) || target.length < first.length + last.length) return false;
  let at = first.length;
  const end = target.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = target.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/**
 * Which template line produced `expanded` (a line of the Handlebars output), best effort:
 * MJML reports lines of the expanded document, but authors need their file and line. Each
 * template line is matched with its `{{…}}` parts as wildcards; lines that are only mustaches
 * (block helpers) match nothing. Tags come from templates, never from data (it is escaped), so
 * the line holding the offending tag is a template line with values filled in.
 */
export function locateLine(expanded: string, tagName: string, sources: TemplateSource[]): { name: string; line: number } | null {
  const target = expanded.trim();
  if (!target) return null;
  let fallback: { name: string; line: number } | null = null;
  for (const file of sources) {
    const lines = file.source.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      const pieces = line.split(/\{\{[\s\S]*?\}\}/);
      if (!pieces.join('').trim() || !matchesPieces(target, pieces)) continue;
      const hit = { name: file.name, line: i + 1 };
      if (!tagName || line.includes(`<${tagName}`)) return hit;
      fallback ??= hit;
    }
  }
  return fallback;
}
