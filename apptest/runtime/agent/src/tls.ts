// TLS plaintext as a backstop (optional): what SSL_write sends and SSL_read receives, read
// in the TLS library itself, for traffic the proxy cannot see (pinning it could not bypass,
// protocols that are not HTTP). OpenSSL and BoringSSL export the same functions; libraries
// that load later are hooked when they load. The peer address comes from the socket.

import { emit } from "./emit.js";

const TLS_LIBRARY = /^lib(ssl|boringssl)[\w-]*\.so(\.[\d.]+)?$/;

function attach(module: Module, maxBytes: number): number {
  const getFd = module.findExportByName("SSL_get_fd");
  const fdOf = getFd !== null ? new NativeFunction(getFd, "int", ["pointer"]) : null;
  const peer = (ssl: NativePointer): Record<string, any> | null => {
    if (fdOf === null) return null;
    const fd = fdOf(ssl) as number;
    if (fd < 0) return null;
    const address = Socket.peerAddress(fd);
    return address !== null && "ip" in address ? { ip: address.ip, port: address.port } : null;
  };
  const report = (fn: string, ssl: NativePointer, buf: NativePointer, n: number): void => {
    if (n <= 0) return;
    const take = Math.min(n, maxBytes);
    emit(
      "tls",
      { fn, direction: fn.startsWith("SSL_write") ? "sent" : "received", library: module.name, peer: peer(ssl), len: n, truncated: n > take, tid: Process.getCurrentThreadId() },
      buf.readByteArray(take),
    );
  };
  let count = 0;
  for (const fn of ["SSL_write", "SSL_read"]) {
    const address = module.findExportByName(fn);
    if (address === null) continue;
    Interceptor.attach(address, {
      onEnter(args) {
        this.ssl = args[0];
        this.buf = args[1];
      },
      onLeave(retval) {
        report(fn, this.ssl, this.buf, retval.toInt32());
      },
    });
    count++;
  }
  for (const fn of ["SSL_write_ex", "SSL_read_ex"]) {
    const address = module.findExportByName(fn);
    if (address === null) continue;
    Interceptor.attach(address, {
      onEnter(args) {
        this.ssl = args[0];
        this.buf = args[1];
        this.done = args[3];
      },
      onLeave(retval) {
        if (retval.toInt32() === 1 && !this.done.isNull()) report(fn, this.ssl, this.buf, this.done.readULong().toNumber());
      },
    });
    count++;
  }
  return count;
}

export function hookTls(maxBytes: number): void {
  const done = new Set<string>();
  const arm = (module: Module): void => {
    if (!TLS_LIBRARY.test(module.name) || done.has(module.path)) return;
    done.add(module.path);
    const count = attach(module, maxBytes);
    emit("tls-hooked", { library: module.name, path: module.path, functions: count });
  };
  Process.enumerateModules().forEach(arm);
  Process.attachModuleObserver({ onAdded: arm });
}
