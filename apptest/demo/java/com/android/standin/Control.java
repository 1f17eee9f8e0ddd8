package com.android.standin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The control channel: what adb and uiautomator are to a phone. One line per command, one
 * line per answer ("OK payload" or "ERR message"). The JVM exits when the controller goes
 * away (its stdin closes), so a crashed test never leaves a stand-in running.
 */
public final class Control {
    private static final java.util.Set<String> QUERIES = java.util.Set.of("dump", "perms", "pid", "top", "proxy");

    private Control() {}

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // the controller keeps stdin open for as long as it lives
                }
            } catch (IOException e) {
                // fall through
            }
            System.exit(0);
        }, "standin-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            System.out.println("APPTEST-STANDIN port=" + server.getLocalPort() + " pid=" + ProcessHandle.current().pid());
            System.out.flush();
            try (Socket socket = server.accept()) {
                serve(socket);
            }
        }
        Phone.get().forceStop();
        System.exit(0);
    }

    private static void serve(Socket socket) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8), true);
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.trim().split(" ");
            if (parts[0].equals("quit")) {
                out.println("OK bye");
                return;
            }
            if (!QUERIES.contains(parts[0])) {
                System.err.println("standin: " + line);
            }
            try {
                out.println("OK " + handle(parts));
            } catch (Exception e) {
                out.println("ERR " + String.valueOf(e).replace('\n', ' '));
            }
        }
    }

    private static String handle(String[] p) throws Exception {
        Phone phone = Phone.get();
        switch (p[0]) {
            case "launch":
                return phone.launch();
            case "stop":
                return phone.forceStop();
            case "clear":
                return phone.clearData();
            case "key":
                return phone.key(p[1]);
            case "tap":
                return phone.tap(Integer.parseInt(p[1]), Integer.parseInt(p[2]));
            case "grant":
                return phone.setPermission(p[1], true);
            case "revoke":
                return phone.setPermission(p[1], false);
            case "perms":
                return phone.permissions();
            case "pid":
                return phone.pid();
            case "top":
                return phone.top();
            case "proxy":
                return phone.proxy();
            case "proxy_set":
                return phone.setProxy(p.length > 1 ? p[1] : "");
            case "dump":
                return Base64.getEncoder().encodeToString(phone.dump().getBytes(StandardCharsets.UTF_8));
            default:
                throw new IllegalArgumentException("unknown command " + p[0]);
        }
    }
}
