package com.android.standin;

import android.app.Activity;
import android.app.Application;
import android.content.SharedPreferences;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;

/**
 * The stand-in phone: identifiers, permissions, the app's process and what is on screen.
 * It plays Android's system services for one app. Values come from system properties
 * (-Dstandin.android_id=...) that apptest sets from the demo device profile, so the traffic
 * analysis knows the same values the app reads.
 */
public final class Phone {
    public static final String LAUNCHER = "com.android.launcher3";
    public static final String PERMISSION_UI = "com.android.permissioncontroller";
    private static final Set<String> NORMAL = new TreeSet<>(Arrays.asList(
            "android.permission.INTERNET", "android.permission.ACCESS_WIFI_STATE",
            "android.permission.ACCESS_NETWORK_STATE", "android.permission.RECEIVE_BOOT_COMPLETED"));
    private static final Phone INSTANCE = new Phone();

    private final Map<String, boolean[]> runtime = new LinkedHashMap<>(); // permission -> {granted, userSet}
    private final Map<String, Map<String, Boolean>> prefs = new HashMap<>();
    private volatile AppProcess process;
    private volatile String top = LAUNCHER;
    private volatile boolean screenOn = true;
    private PermissionRequest pending;
    private int lives;

    public static Phone get() {
        return INSTANCE;
    }

    // --- what the android.* stand-ins ask ------------------------------------------------
    public String value(String key) {
        return System.getProperty("standin." + key, "");
    }

    public String appPackage() {
        return value("package");
    }

    public String secureSetting(String name) {
        return "android_id".equals(name) ? value("android_id") : null;
    }

    public List<String> installedPackages() {
        List<String> out = new ArrayList<>();
        for (String name : value("packages").split(",")) {
            if (!name.isBlank()) {
                out.add(name.trim());
            }
        }
        out.add(appPackage());
        return out;
    }

    public synchronized boolean isGranted(String permission) {
        if (NORMAL.contains(permission)) {
            return true;
        }
        boolean[] state = runtime.get(permission);
        return state != null && state[0];
    }

    public void enforce(String permission, String api) {
        if (!isGranted(permission)) {
            throw new SecurityException(api + ": requires " + permission);
        }
    }

    public synchronized SharedPreferences preferences(String name) {
        Map<String, Boolean> store = prefs.computeIfAbsent(name, k -> new HashMap<>());
        return new Preferences(store);
    }

    public Application application() {
        AppProcess p = process;
        return p == null ? null : p.application;
    }

    public void requestPermissions(Activity activity, String[] permissions, int code) {
        List<String> asked = new ArrayList<>();
        for (String permission : permissions) {
            if (!isGranted(permission)) {
                asked.add(permission);
            }
        }
        synchronized (this) {
            pending = new PermissionRequest(activity, permissions, code, asked);
            if (!asked.isEmpty()) {
                top = PERMISSION_UI;
                return;
            }
        }
        finishRequest(false);
    }

    public synchronized void activityFinished(Activity activity) {
        AppProcess p = process;
        if (p != null && p.activity == activity) {
            p.activity = null;
            top = LAUNCHER;
        }
    }

    // --- what the control channel asks -------------------------------------------------
    String launch() throws Exception {
        if (process == null) {
            pending = null;
            lives++;
            AppProcess p = new AppProcess(appPackage(), lives);
            process = p;
            top = appPackage();
            p.looper.call(() -> {
                p.application = (Application) Class.forName(value("application")).getDeclaredConstructor().newInstance();
                p.application.onCreate();
                return null;
            });
        }
        AppProcess p = process;
        if (p.activity == null) {
            top = appPackage();
            p.looper.call(() -> {
                Activity activity = (Activity) Class.forName(value("activity")).getDeclaredConstructor().newInstance();
                p.activity = activity;
                invoke(activity, "onCreate");
                invoke(activity, "onResume");
                return null;
            });
        } else if (!top.equals(appPackage()) && !top.equals(PERMISSION_UI)) {
            top = pending != null ? PERMISSION_UI : appPackage();
            onMain(() -> invoke(p.activity, "onResume"));
        }
        return "launched";
    }

    String forceStop() {
        AppProcess p = process;
        process = null;
        pending = null;
        if (!LAUNCHER.equals(top)) {
            top = LAUNCHER;
        }
        if (p != null) {
            p.kill();
        }
        return "stopped";
    }

    String clearData() {
        forceStop();
        synchronized (this) {
            prefs.clear();
            runtime.clear();
        }
        return "cleared";
    }

    String key(String name) throws Exception {
        AppProcess p = process;
        switch (name) {
            case "KEYCODE_HOME":
                if (p != null && p.activity != null && !LAUNCHER.equals(top)) {
                    onMain(() -> invoke(p.activity, "onPause"));
                }
                top = LAUNCHER;
                break;
            case "KEYCODE_BACK":
                if (PERMISSION_UI.equals(top) && pending != null) {
                    answer(false, false);
                } else if (p != null && p.activity != null && appPackage().equals(top)) {
                    onMain(() -> p.activity.onBackPressed());
                }
                break;
            case "KEYCODE_SLEEP":
                screenOn = false;
                break;
            case "KEYCODE_WAKEUP":
                screenOn = true;
                break;
            default:
                return "ignored";
        }
        return "ok";
    }

    String tap(int x, int y) throws Exception {
        if (!screenOn) {
            return "screen off";
        }
        if (PERMISSION_UI.equals(top) && pending != null) {
            String hit = Screen.dialogButtonAt(x, y);
            if (hit == null) {
                return "missed";
            }
            answer(hit.equals("allow"), true);
            return "answered";
        }
        if (LAUNCHER.equals(top)) {
            return Screen.launcherIconAt(x, y) ? launch() : "missed";
        }
        AppProcess p = process;
        if (p == null || p.activity == null) {
            return "missed";
        }
        android.view.View target = Screen.hit(p.activity.getContentView(), x, y);
        if (target == null) {
            return "missed";
        }
        onMain(target::performClick);
        return "clicked";
    }

    synchronized String permissions() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, boolean[]> entry : runtime.entrySet()) {
            out.append(entry.getKey()).append(' ').append(entry.getValue()[0]).append(' ')
                    .append(entry.getValue()[1]).append(';');
        }
        return out.toString();
    }

    String setPermission(String permission, boolean granted) {
        synchronized (this) {
            runtime.put(permission, new boolean[] {granted, true});
        }
        if (!granted && process != null) {
            forceStop(); // like `pm revoke`: the app's process is killed
        }
        return "ok";
    }

    synchronized String pid() {
        return process == null ? "none" : Long.toString(ProcessHandle.current().pid());
    }

    String top() {
        return top;
    }

    /** The global HTTP proxy, as `settings get global http_proxy` prints it. */
    String proxy() {
        String host = System.getProperty("http.proxyHost", "");
        return host.isEmpty() ? "null" : host + ":" + System.getProperty("http.proxyPort", "80");
    }

    /**
     * `settings put global http_proxy VALUE`: the app's HTTP stack (java.net's default proxy
     * selector) reads these properties on every new connection, as Android's does the setting.
     */
    String setProxy(String value) {
        int colon = value.lastIndexOf(':');
        String host = colon > 0 ? value.substring(0, colon) : "";
        if (host.isEmpty() || value.endsWith(":0")) {
            for (String scheme : new String[] {"http", "https"}) {
                System.clearProperty(scheme + ".proxyHost");
                System.clearProperty(scheme + ".proxyPort");
            }
        } else {
            for (String scheme : new String[] {"http", "https"}) {
                System.setProperty(scheme + ".proxyHost", host);
                System.setProperty(scheme + ".proxyPort", value.substring(colon + 1));
            }
            System.setProperty("http.nonProxyHosts", "");
        }
        return proxy();
    }

    synchronized String dump() {
        AppProcess p = process;
        android.view.View content = p != null && p.activity != null ? p.activity.getContentView() : null;
        String dialogPermission = PERMISSION_UI.equals(top) && pending != null ? pending.current() : null;
        boolean appVisible = !LAUNCHER.equals(top) && content != null;
        return Screen.dump(appVisible ? content : null, appPackage(), value("label"), dialogPermission);
    }

    // --- internals ------------------------------------------------------------------------
    private void answer(boolean allow, boolean userSet) throws Exception {
        boolean done;
        synchronized (this) {
            String permission = pending.current();
            runtime.put(permission, new boolean[] {allow, userSet});
            pending.index++;
            done = pending.current() == null;
        }
        if (done) {
            finishRequest(true);
        }
    }

    /** The answer goes to the activity after the dialog closed, as on Android (never inside the request). */
    private void finishRequest(boolean wait) {
        PermissionRequest request;
        synchronized (this) {
            request = pending;
            pending = null;
            top = appPackage();
        }
        int[] results = new int[request.permissions.length];
        for (int i = 0; i < results.length; i++) {
            results[i] = isGranted(request.permissions[i]) ? 0 : -1;
        }
        Runnable deliver = () -> request.activity.onRequestPermissionsResult(request.code, request.permissions, results);
        if (wait) {
            try {
                onMain(deliver);
            } catch (Exception e) {
                System.err.println("standin: " + e);
            }
        } else {
            AppProcess p = process;
            if (p != null) {
                p.looper.post(deliver);
            }
        }
    }

    private void onMain(Runnable task) throws Exception {
        AppProcess p = process;
        if (p == null) {
            return;
        }
        try {
            p.looper.call(() -> {
                task.run();
                return null;
            });
        } catch (ExecutionException e) {
            System.err.println("standin: app crashed: " + e.getCause());
            forceStop();
        }
    }

    private static void invoke(Activity activity, String method) {
        try {
            if (method.equals("onCreate")) {
                java.lang.reflect.Method m = Activity.class.getDeclaredMethod("onCreate", Object.class);
                m.setAccessible(true);
                m.invoke(activity, (Object) null);
            } else {
                java.lang.reflect.Method m = Activity.class.getDeclaredMethod(method);
                m.setAccessible(true);
                m.invoke(activity);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e.getCause() != null ? e.getCause() : e);
        }
    }

    private static final class PermissionRequest {
        final Activity activity;
        final String[] permissions;
        final int code;
        final List<String> asked;
        int index;

        PermissionRequest(Activity activity, String[] permissions, int code, List<String> asked) {
            this.activity = activity;
            this.permissions = permissions;
            this.code = code;
            this.asked = asked;
        }

        String current() {
            return index < asked.size() ? asked.get(index) : null;
        }
    }

    private static final class Preferences implements SharedPreferences {
        private final Map<String, Boolean> store;

        Preferences(Map<String, Boolean> store) {
            this.store = store;
        }

        @Override
        public boolean getBoolean(String key, boolean defValue) {
            synchronized (store) {
                return store.getOrDefault(key, defValue);
            }
        }

        @Override
        public Editor edit() {
            Map<String, Boolean> changes = new HashMap<>();
            return new Editor() {
                @Override
                public Editor putBoolean(String key, boolean value) {
                    changes.put(key, value);
                    return this;
                }

                @Override
                public void apply() {
                    synchronized (store) {
                        store.putAll(changes);
                    }
                }
            };
        }
    }
}
