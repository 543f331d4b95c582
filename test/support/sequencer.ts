// Test files that mostly wait (on real-time rate windows, schedule slots, child processes) start
// first: started last, one of them alone would hold the whole run open for its minute while the
// other workers sit idle. After them, vitest's own order (failed first, then longest by its cache,
// or largest file without one: a fresh clone, as in CI, has no cache).
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOW_FIRST = [
  'test/service/scale-out.test.ts',
  'test/service/hostile-start.test.ts',
  'test/sources/extraction.test.ts',
  'test/deliver/telegram-pacing.test.ts',
  'test/deliver/telegram.test.ts',
  'test/deliver/telegram-crash.test.ts',
  'test/service/shutdown.test.ts',
  'test/schedule/run.test.ts',
  'test/deliver/crash.test.ts',
];

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map((x) => x.f);
  }
}
