/**
 * `make test`'s last line: how many tests ran against the product (src/ unit tests and the
 * end-to-end tests of the CLI), how many tested the simulators themselves (tests/sim/), and how
 * many tested the test harness, read from the JUnit report `deno test --junit-path` wrote.
 *
 * Usage: deno run -P=test tests/test_counts.ts <report.xml>
 *
 * @module
 */

/** Tests of one kind: how many ran (passed or failed), failed, and were skipped. */
export interface Tally {
  ran: number;
  failed: number;
  ignored: number;
}

/** The tallies of a report, by what the tests test. */
export interface TestCounts {
  product: Tally;
  simulators: Tally;
  harness: Tally;
}

/** What a test file tests, from its path: the simulators, the test harness, or the product. */
export function kindOf(file: string): keyof TestCounts {
  const path = file.replace(/^\.\//, "");
  if (path.startsWith("tests/sim/")) return "simulators";
  if (path.startsWith("src/") || path.startsWith("tests/e2e/")) return "product";
  return "harness";
}

/** Counts the test cases of a Deno JUnit report. */
export function countTests(xml: string): TestCounts {
  const counts: TestCounts = {
    product: { ran: 0, failed: 0, ignored: 0 },
    simulators: { ran: 0, failed: 0, ignored: 0 },
    harness: { ran: 0, failed: 0, ignored: 0 },
  };
  for (const match of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const file = /\bclassname="([^"]*)"/.exec(match[1]!)?.[1] ?? "";
    const body = match[3] ?? "";
    const tally = counts[kindOf(file)];
    if (/<skipped\b/.test(body)) {
      tally.ignored += 1;
      continue;
    }
    tally.ran += 1;
    if (/<(failure|error)\b/.test(body)) tally.failed += 1;
  }
  return counts;
}

/** The summary line. */
export function summary(counts: TestCounts): string {
  const part = (tally: Tally, what: string) => {
    const notes = [
      ...(tally.failed ? [`${tally.failed} failed`] : []),
      ...(tally.ignored ? [`${tally.ignored} ignored`] : []),
    ];
    return `${tally.ran} ${what}${notes.length ? ` (${notes.join(", ")})` : ""}`;
  };
  return `make test: ${part(counts.product, "tests ran against the product")}; ` +
    `${part(counts.simulators, "tested the simulators themselves")}; ${
      part(counts.harness, "tested the test harness")
    }`;
}

if (import.meta.main) {
  const [path] = Deno.args;
  if (!path) throw new Error("usage: test_counts.ts <junit report>");
  console.log(summary(countTests(await Deno.readTextFile(path))));
}
