import assert from "node:assert/strict";
import { skipWithout } from "../../tests/peers.ts";
import { BusConnectionError, connectBus, DBusError } from "./connection.ts";
import { connectService } from "./test_service.ts";
import { startHungBus, startTestBus } from "../keyring/test_support.ts";

const haveBus = Deno.build.os === "linux" && !skipWithout(["dbus-daemon"]);

Deno.test({
  name: "connectBus says Hello to a real dbus-daemon and calls methods",
  ignore: !haveBus,
  async fn() {
    const bus = await startTestBus();
    try {
      const conn = await connectBus(bus.address, { timeoutMs: 5000 });
      try {
        assert.match(conn.uniqueName, /^:\d+\.\d+$/);
        assert.equal(await conn.nameHasOwner("org.freedesktop.DBus"), true);
        assert.equal(await conn.nameHasOwner("org.example.Nobody"), false);
        // The test bus has no service activation.
        assert.deepEqual(
          (await conn.listActivatableNames()).filter((n) => !n.startsWith("org.freedesktop.DBus")),
          [],
        );
        await assert.rejects(
          conn.call({
            destination: "org.freedesktop.DBus",
            path: "/org/freedesktop/DBus",
            interface: "org.freedesktop.DBus",
            member: "NoSuchMethod",
          }),
          (error: unknown) => error instanceof DBusError && error.errorName.endsWith("UnknownMethod"),
        );
      } finally {
        conn.close();
      }
    } finally {
      await bus.close();
    }
  },
});

Deno.test({
  name: "a connection serves method calls from another connection",
  ignore: !haveBus,
  async fn() {
    const bus = await startTestBus();
    const service = await connectService(bus.address, { timeoutMs: 5000 });
    const client = await connectBus(bus.address, { timeoutMs: 5000 });
    try {
      service.serve((call) => {
        if (call.member === "Echo") return { signature: "say", body: [`${call.body[0]}!`, call.body[1]!] };
        throw new DBusError("org.example.Error.Nope", `no method "${call.member}"`);
      });
      assert.equal(await service.requestName("org.example.Echo"), true);
      const target = { destination: "org.example.Echo", path: "/", interface: "org.example.Echo" };
      const bytes = new Uint8Array([0, 1, 2]);
      assert.deepEqual(
        await client.call({ ...target, member: "Echo", signature: "say", body: ["hi", bytes] }),
        ["hi!", bytes],
      );
      await assert.rejects(
        client.call({ ...target, member: "Other" }),
        (error: unknown) =>
          error instanceof DBusError && error.errorName === "org.example.Error.Nope" &&
          error.message === `no method "Other"`,
      );
    } finally {
      client.close();
      service.close();
      await bus.close();
    }
  },
});

Deno.test({
  name: "a plain client answers calls sent to it with UnknownMethod",
  ignore: !haveBus,
  async fn() {
    const bus = await startTestBus();
    const first = await connectBus(bus.address, { timeoutMs: 5000 });
    const second = await connectBus(bus.address, { timeoutMs: 5000 });
    try {
      await assert.rejects(
        second.call({ destination: first.uniqueName, path: "/", interface: "org.example.Any", member: "Do" }),
        (error: unknown) =>
          error instanceof DBusError && error.errorName === "org.freedesktop.DBus.Error.UnknownMethod",
      );
    } finally {
      second.close();
      first.close();
      await bus.close();
    }
  },
});

Deno.test({
  name: "a call nobody answers fails with a timeout",
  ignore: !haveBus,
  async fn() {
    const bus = await startTestBus();
    const service = await connectService(bus.address, { timeoutMs: 5000 });
    const client = await connectBus(bus.address, { timeoutMs: 5000 });
    try {
      service.serve(() => new Promise(() => {}));
      await service.requestName("org.example.Slow");
      await assert.rejects(
        client.call({
          destination: "org.example.Slow",
          path: "/",
          interface: "org.example.Slow",
          member: "Wait",
        }, {
          timeoutMs: 200,
        }),
        (error: unknown) => error instanceof BusConnectionError && error.failure === "timeout",
      );
    } finally {
      client.close();
      service.close();
      await bus.close();
    }
  },
});

Deno.test({
  name: "a bus that accepts but never answers fails with a timeout, not a hang",
  ignore: Deno.build.os === "windows", // D-Bus sessions are Unix sockets: there is none on Windows
  async fn() {
    const hung = await startHungBus();
    try {
      await assert.rejects(
        connectBus(hung.address, { timeoutMs: 300 }),
        (error: unknown) => {
          assert.ok(error instanceof BusConnectionError);
          assert.equal(error.failure, "timeout");
          assert.match(error.message, /did not answer within 300 ms/);
          return true;
        },
      );
      assert.equal(hung.accepted(), 1);
    } finally {
      await hung.close();
    }
  },
});

Deno.test({
  name: "a missing socket is unreachable, and unsupported transports are named",
  ignore: Deno.build.os === "windows", // D-Bus sessions are Unix sockets: there is none on Windows
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await assert.rejects(
        connectBus(`unix:path=${dir}/nothing`, { timeoutMs: 1000 }),
        (error: unknown) => error instanceof BusConnectionError && error.failure === "unreachable",
      );
      await assert.rejects(
        connectBus("launchd:env=DBUS_LAUNCHD_SESSION_BUS_SOCKET", { timeoutMs: 1000 }),
        (error: unknown) =>
          error instanceof BusConnectionError && error.failure === "unreachable" &&
          error.message.includes(`"launchd"`),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a server that rejects authentication is reported as such",
  ignore: Deno.build.os === "windows", // D-Bus sessions are Unix sockets: there is none on Windows
  async fn() {
    const dir = await Deno.makeTempDir();
    const listener = Deno.listen({ transport: "unix", path: `${dir}/bus` });
    const served = (async () => {
      const conn = await listener.accept();
      await conn.read(new Uint8Array(256));
      await conn.write(new TextEncoder().encode("REJECTED EXTERNAL\r\n"));
      await conn.read(new Uint8Array(256)).catch(() => null);
      conn.close();
    })();
    try {
      await assert.rejects(
        connectBus(`unix:path=${dir}/bus`, { timeoutMs: 2000 }),
        (error: unknown) => error instanceof BusConnectionError && error.failure === "auth",
      );
      await served;
    } finally {
      listener.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
