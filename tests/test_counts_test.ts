import assert from "node:assert/strict";
import { countTests, kindOf, summary } from "./test_counts.ts";

const REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="deno test" tests="6" failures="1" errors="0" time="1.0">
    <testsuite name="./src/app/lock_test.ts" tests="2" disabled="0" errors="0" failures="0">
        <testcase name="a" classname="./src/app/lock_test.ts" time="0.1" line="5" col="6">
        </testcase>
        <testcase name="b &gt; c" classname="./src/app/lock_test.ts" time="0.1" line="9" col="6">
            <failure message="boom">x</failure>
        </testcase>
    </testsuite>
    <testsuite name="./tests/e2e/x_test.ts" tests="2" disabled="1" errors="0" failures="0">
        <testcase name="c" classname="./tests/e2e/x_test.ts" line="1" col="6">
            <skipped/>
        </testcase>
        <testcase name="d" classname="./tests/e2e/x_test.ts" time="1" line="2" col="6">
        </testcase>
    </testsuite>
    <testsuite name="./tests/sim/sts_test.ts" tests="1" disabled="0" errors="0" failures="0">
        <testcase name="e" classname="./tests/sim/sts_test.ts" time="1" line="2" col="6">
        </testcase>
    </testsuite>
    <testsuite name="./tests/peers_test.ts" tests="1" disabled="0" errors="0" failures="0">
        <testcase name="f" classname="./tests/peers_test.ts" time="1" line="2" col="6"/>
    </testsuite>
</testsuites>`;

Deno.test("test counts: product (src/, tests/e2e/), simulators (tests/sim/) and harness, from the JUnit report", () => {
  const counts = countTests(REPORT);
  assert.deepEqual(counts, {
    product: { ran: 3, failed: 1, ignored: 1 },
    simulators: { ran: 1, failed: 0, ignored: 0 },
    harness: { ran: 1, failed: 0, ignored: 0 },
  });
  assert.equal(
    summary(counts),
    "make test: 3 tests ran against the product (1 failed, 1 ignored); 1 tested the simulators themselves; " +
      "1 tested the test harness",
  );
  assert.equal(kindOf("./tests/sim/okta_idx_test.ts"), "simulators");
  assert.equal(kindOf("./tests/test_counts_test.ts"), "harness");
});

Deno.test("test counts: a real report of deno test", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-junit-" });
  try {
    const root = new URL("../", import.meta.url).pathname;
    const report = `${dir}/report.xml`;
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "-P=test",
        "--quiet",
        `--junit-path=${report}`,
        "src/app/store/cache_key_test.ts",
        "tests/sim/sigv4_test.ts",
      ],
      cwd: root,
      stdout: "null",
      stderr: "null",
    }).output();
    assert.equal(run.code, 0);
    const counts = countTests(await Deno.readTextFile(report));
    assert.equal(counts.product.ran, 4);
    assert.ok(counts.simulators.ran > 0);
    assert.equal(counts.harness.ran, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
