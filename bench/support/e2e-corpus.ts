// The end-to-end bench's feed corpus: N distinct feeds of M items each, served from loopback.
// Sizes follow real full-text trade feeds (4–8 paragraphs, 2–4 KB of HTML per item); every third
// feed is Atom, every tenth is in Chinese, so the parsers, language detection and the Chinese
// summarizer path all do their share. Run with --serve as a child process (its memory and CPU
// are not the ingester's); it prints {port, bytes} and exits when its parent disconnects.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const EN = (
  'market cotton yarn fibre polyester export order mill price demand supply inventory futures contract buyer ' +
  'retailer season spinning weaving dyeing finishing freight port container europe asia capacity margin ' +
  'energy carbon report survey association member quarter growth decline stable forecast analyst trader ' +
  'warehouse shipment factory worker wage policy tariff regulation standard quality brand design fabric ' +
  'garment apparel technical home textile recycled sustainable investment equipment automation digital ' +
  'viscose linen wool silk denim knit loom machine customs quota import duty election strike union logistics ' +
  'vietnam bangladesh india turkey mexico china germany italy spain retailers online sales volume index'
).split(' ');
const ZH = (
  '纺织 棉花 价格 市场 出口 订单 工厂 纱线 面料 服装 需求 供应 库存 期货 合同 买家 零售 季节 纺纱 织造 染色 ' +
  '整理 运费 港口 集装箱 欧洲 亚洲 产能 利润 能源 碳排放 报告 调查 协会 会员 季度 增长 下降 稳定 预测 分析师 ' +
  '仓库 发货 工人 工资 政策 关税 法规 标准 质量 品牌 设计 技术 家纺 回收 可持续 投资 设备 自动化 数字化'
).split(' ');

/** Deterministic xorshift stream: every feed and item differs, so nothing is a duplicate. */
function stream(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function sentence(next: () => number, zh: boolean, min = 8, spread = 14): string {
  const vocab = zh ? ZH : EN;
  const n = min + (next() % spread);
  const words = Array.from({ length: n }, () => vocab[next() % vocab.length]!);
  if (zh) return `${words.join('')}。`;
  const s = words.join(' ');
  return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
}

function paragraphs(next: () => number, zh: boolean): string[] {
  return Array.from({ length: 4 + (next() % 5) }, () => Array.from({ length: 3 + (next() % 3) }, () => sentence(next, zh)).join(' '));
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One feed's XML; `base` is the newest item's time (items are a minute apart, newest first). */
export function feedXml(f: number, items: number, base: number): string {
  const zh = f % 10 === 7;
  const atom = f % 3 === 1;
  const site = `http://feed${f}.bench.test`;
  const entries: string[] = [];
  for (let i = 0; i < items; i++) {
    const next = stream(f * 7919 + i * 104729 + 1);
    const title = sentence(next, zh, 5, 7).slice(0, -1);
    const html = escapeXml(
      paragraphs(next, zh)
        .map((p) => `<p>${p}</p>`)
        .join('\n'),
    );
    const link = `${site}/news/${f}-${i}.html`;
    const at = new Date(base - (i * 60 + (f % 60)) * 1000);
    entries.push(
      atom
        ? `<entry><id>tag:feed${f}.bench.test,2026:${i}</id><title>${escapeXml(title)}</title><link href="${link}"/>` +
            `<updated>${at.toISOString()}</updated><category term="markets"/><content type="html">${html}</content></entry>`
        : `<item><title>${escapeXml(title)}</title><link>${link}</link><guid>feed${f}-item${i}</guid>` +
            `<pubDate>${at.toUTCString()}</pubDate><category>markets</category><description>${html}</description></item>`,
    );
  }
  const name = zh ? `纺织行业新闻 ${f}` : `Textile Trade News ${f}`;
  return atom
    ? `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>${name}</title>` +
        `<id>${site}/</id><link href="${site}/"/><updated>${new Date(base).toISOString()}</updated>\n${entries.join('\n')}</feed>`
    : `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${name}</title><link>${site}/</link>` +
        `<description>generated</description><language>${zh ? 'zh-cn' : 'en'}</language>\n${entries.join('\n')}</channel></rss>`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [feeds, items] = process.argv.slice(2).map(Number) as [number, number];
  // The newest item is ten minutes old, so every item is inside the digest's first window.
  const base = Date.now() - 600_000;
  const bodies = Array.from({ length: feeds }, (_, f) => Buffer.from(feedXml(f, items, base)));
  const server = createServer((req, res) => {
    const m = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? '');
    const body = m ? bodies[Number(m[1])] : undefined;
    if (!body) return void res.writeHead(404).end();
    const type = Number(m![1]) % 3 === 1 ? 'application/atom+xml' : 'application/rss+xml';
    res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8`, 'Content-Length': body.length }).end(body);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    const bytes = bodies.reduce((n, b) => n + b.length, 0);
    process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port, bytes })}\n`);
  });
  process.on('disconnect', () => process.exit(0));
}
