/**
 * A bound listening socket and its accept loop, apart from the listener that serves what it
 * accepts, so that an updated listener takes the socket over (Envoy shares the socket between
 * the old and the new listener of one address) without ever unbinding the port.
 *
 * @module
 */

/** Who receives accepted connections. */
export interface AcceptTarget {
  accept(conn: Deno.TcpConn): void;
}

/** See the module doc. */
export class ListenSocket {
  readonly port: number;
  /** Where the next accepted connection goes; switched by a listener update. */
  target: AcceptTarget;
  readonly #server: Deno.TcpListener;
  #closed = false;

  /** Starts accepting on `server` for `target`. */
  constructor(server: Deno.TcpListener, target: AcceptTarget) {
    this.#server = server;
    this.target = target;
    this.port = (server.addr as Deno.NetAddr).port;
    this.#loop();
  }

  async #loop(): Promise<void> {
    while (true) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#server.accept();
      } catch {
        if (this.#closed) return;
        // e.g. too many open files: keep the socket, try again shortly
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      this.target.accept(conn);
    }
  }

  /** Unbinds. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#server.close();
    } catch { /* already closed */ }
  }
}
