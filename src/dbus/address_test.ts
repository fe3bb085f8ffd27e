import assert from "node:assert/strict";
import { describeEndpoint, findSessionBus, parseBusAddress } from "./address.ts";

const env = (vars: Record<string, string>) => ({ get: (name: string) => vars[name] });

Deno.test("parseBusAddress reads unix paths, abstract sockets and tcp, in order", () => {
  assert.deepEqual(
    parseBusAddress(
      "unix:path=/run/user/1000/bus,guid=0123;unix:abstract=/tmp/dbus-X;tcp:host=127.0.0.1,port=4000",
    ),
    {
      endpoints: [
        { transport: "unix", path: "/run/user/1000/bus" },
        { transport: "unix", path: "\0/tmp/dbus-X" },
        { transport: "tcp", hostname: "127.0.0.1", port: 4000 },
      ],
      unsupported: [],
    },
  );
});

Deno.test("parseBusAddress percent-decodes values and names what it cannot use", () => {
  assert.deepEqual(parseBusAddress("unix:path=/tmp/with%20space/bus").endpoints, [
    { transport: "unix", path: "/tmp/with space/bus" },
  ]);
  assert.deepEqual(parseBusAddress("launchd:env=X;autolaunch:;tcp:host=h,port=99999;unix:guid=1"), {
    endpoints: [],
    unsupported: ["launchd", "autolaunch", "tcp", "unix"],
  });
  assert.deepEqual(parseBusAddress(""), { endpoints: [], unsupported: [] });
});

Deno.test("describeEndpoint shows abstract sockets the way D-Bus writes them", () => {
  assert.equal(describeEndpoint({ transport: "unix", path: "\0/tmp/x" }), "unix:abstract=/tmp/x");
  assert.equal(describeEndpoint({ transport: "unix", path: "/run/bus" }), "unix:path=/run/bus");
  assert.equal(describeEndpoint({ transport: "tcp", hostname: "h", port: 1 }), "tcp:h:1");
});

Deno.test({
  name: "findSessionBus prefers DBUS_SESSION_BUS_ADDRESS, then an existing $XDG_RUNTIME_DIR/bus socket",
  ignore: Deno.build.os === "windows", // $XDG_RUNTIME_DIR/bus is a Unix socket: no session bus on Windows
  async fn() {
    assert.deepEqual(
      findSessionBus(env({ DBUS_SESSION_BUS_ADDRESS: "unix:path=/x", XDG_RUNTIME_DIR: "/r" })),
      {
        address: "unix:path=/x",
        source: "env",
      },
    );
    const dir = await Deno.makeTempDir();
    try {
      // No socket there: no bus (libraries would try X11 autolaunch next, which we must avoid).
      assert.equal(findSessionBus(env({ XDG_RUNTIME_DIR: dir })), undefined);
      await Deno.writeTextFile(`${dir}/bus`, "not a socket");
      assert.equal(findSessionBus(env({ XDG_RUNTIME_DIR: dir })), undefined);
      await Deno.remove(`${dir}/bus`);
      const listener = Deno.listen({ transport: "unix", path: `${dir}/bus` });
      try {
        assert.deepEqual(findSessionBus(env({ XDG_RUNTIME_DIR: `${dir}/` })), {
          address: `unix:path=${dir}/bus`,
          source: "runtime-dir",
        });
      } finally {
        listener.close();
      }
      assert.equal(findSessionBus(env({ DBUS_SESSION_BUS_ADDRESS: " " })), undefined);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
