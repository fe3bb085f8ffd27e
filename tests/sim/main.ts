/**
 * Runs the simulator standalone (for `make demo` and manual testing):
 *
 *     deno run -P=test tests/sim/main.ts [--port N]
 *
 * Prints `{"url":…,"stsUrl":…}` as one line on stdout (for scripts), and the URL, the demo
 * user's credentials and the control API on stderr. Stops on SIGINT/SIGTERM.
 *
 * @module
 */

import { startSimulator } from "./simulator.ts";
import { DEMO_LOGIN, DEMO_PASSWORD } from "./state.ts";

function parsePort(args: string[]): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = arg === "--port" ? args[++i] : arg.startsWith("--port=") ? arg.slice(7) : undefined;
    if (value === undefined) {
      if (arg === "--port") throw new Error(`missing value for "--port"`);
      throw new Error(`unknown argument "${arg}": usage: main.ts [--port N]`);
    }
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port "${value}"`);
    return port;
  }
  return 0;
}

if (import.meta.main) {
  let port: number;
  try {
    port = parsePort(Deno.args);
  } catch (error) {
    console.error(`sim: ${(error as Error).message}`);
    Deno.exit(2);
  }
  const sim = await startSimulator({ port });
  console.error(`Okta + STS simulator listening on ${sim.url}`);
  console.error(`  demo user: ${DEMO_LOGIN} / ${DEMO_PASSWORD} (Okta Verify push, auto-approved)`);
  console.error(`  AWS_ENDPOINT_URL_STS=${sim.stsUrl}`);
  console.error(
    `  control: GET ${sim.url}/__sim/counts, POST ${sim.url}/__sim/push/<approve|reject|timeout>`,
  );
  console.log(JSON.stringify({ url: sim.url, stsUrl: sim.stsUrl }));
  const stop = async () => {
    await sim.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
