/**
 * The service role of a D-Bus connection, for test doubles of D-Bus services (a fake KWallet, an
 * echo service): answering the method calls sent to us and owning a well-known name. The CLI only
 * calls services, so this stays out of connection.ts.
 *
 * @module
 */

import { BUS, type ConnectBusOptions, DBusConnection, type DBusReply, openBus } from "./connection.ts";
import type { DBusMessage } from "./wire.ts";

/** Answers incoming method calls. */
export type MethodHandler = (call: DBusMessage) => DBusReply | Promise<DBusReply>;

/** A connection that answers method calls with a handler. Create with {@linkcode connectService}. */
export class DBusService extends DBusConnection {
  #handler: MethodHandler | undefined;

  /** Answers method calls sent to this connection with `handler`. */
  serve(handler: MethodHandler): void {
    this.#handler = handler;
  }

  /** Asks the bus for a well-known name; true when we are now its primary owner. */
  async requestName(name: string): Promise<boolean> {
    // Flag 4 = DO_NOT_QUEUE; reply 1 = PRIMARY_OWNER.
    const [reply] = await this.call({ ...BUS, member: "RequestName", signature: "su", body: [name, 4] });
    return reply === 1;
  }

  protected override answerCall(call: DBusMessage): DBusReply | Promise<DBusReply> {
    return this.#handler ? this.#handler(call) : super.answerCall(call);
  }
}

/** Connects to the bus at `address` as `connectBus` does, for serving calls. */
export function connectService(address: string, options: ConnectBusOptions): Promise<DBusService> {
  return openBus(address, options, DBusService);
}
