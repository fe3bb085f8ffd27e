import assert from "node:assert/strict";
import { discoverPipeline } from "./org_discovery.ts";
import { startServer, testFetch } from "./test_support.ts";

Deno.test("org discovery: idx, v1, and undefined for errors and odd answers", async () => {
  const answers = [
    Response.json({ id: "00o1", pipeline: "idx" }),
    Response.json({ id: "00o1", pipeline: "v1" }),
    new Response("not found", { status: 404 }),
    new Response("<html>proxy</html>", { status: 200 }),
    Response.json({ pipeline: "other" }),
  ];
  const server = await startServer(() => answers.shift()!);
  const lines: string[] = [];
  try {
    const results = [];
    for (let i = 0; i < 5; i++) {
      results.push(await discoverPipeline(testFetch(), server.origin, (l) => lines.push(l)));
    }
    assert.deepEqual(results, ["idx", "v1", undefined, undefined, undefined]);
    assert.equal(server.requests[0]!.path, "/.well-known/okta-organization");
    assert.ok(lines.some((line) => line.includes("HTTP 404")));
  } finally {
    await server.close();
  }
});
