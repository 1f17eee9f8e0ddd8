package com.example.rental;

import android.app.ActivityThread;
import android.app.Application;
import android.app.ContextImpl;
import android.content.ContentResolver;
import android.content.Context;
import android.location.LocationListener;
import android.location.LocationManager;
import android.net.ConnectivityManager;
import android.net.Uri;
import android.os.Looper;
import android.provider.Settings;
import cn.jpush.android.helper.DeviceInfo;
import com.bytedance.sdk.openadsdk.TTAdSdk;
import com.umeng.commonsdk.statistics.UMLogSender;
import com.umeng.commonsdk.statistics.idtracking.ImeiTracker;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * The stand-in rental app. It prints "ready PID", waits for "go" on stdin (so the test can
 * attach first), runs what an app and its SDKs do at start, prints "done" and waits for
 * one more line before it exits. System properties (standin.*) choose the optional parts.
 */
public class App {
    public static void main(String[] args) throws Exception {
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        if (in.readLine() == null) {
            return;
        }
        Application app = new Application();
        app.attach(new ContextImpl("com.example.rental"));
        ActivityThread.setCurrentApplication(app);
        app.onCreate();
        run(app);
        System.out.println("done");
        System.out.flush();
        in.readLine();
    }

    static void run(Context context) throws Exception {
        String port = System.getProperty("standin.port");
        // SDKs at start
        ImeiTracker.f(context);
        if (port != null) {
            UMLogSender.open("http://127.0.0.1:" + port + "/umeng/log");
        }
        DeviceInfo.collect(context);
        if (port != null) {
            DeviceInfo.report("http://127.0.0.1:" + port + "/jpush/report");
        }
        TTAdSdk.init(context);
        // the app's own reads
        ContentResolver resolver = context.getContentResolver();
        resolver.query(Uri.parse("content://com.android.contacts/data/phones"), null, null, null, null);
        resolver.query(Uri.parse("content://com.example.rental.provider/houses"), null, null, null, null);
        Settings.Secure.getString(resolver, "bluetooth_name");
        LocationManager lm = (LocationManager) context.getSystemService(Context.LOCATION_SERVICE);
        LocationListener listener = location -> { };
        lm.requestLocationUpdates(LocationManager.GPS_PROVIDER, 1000L, 0f, listener);
        lm.requestLocationUpdates(LocationManager.GPS_PROVIDER, 1000L, 0f, listener, Looper.getMainLooper());
        ConnectivityManager cm = (ConnectivityManager) context.getSystemService(Context.CONNECTIVITY_SERVICE);
        for (int i = 0; i < 3; i++) {
            cm.getActiveNetworkInfo();
        }
        // the permission dialog
        MainActivity activity = new MainActivity();
        activity.attach(context);
        activity.askForPermissions();
        ActivityThread.deliverPermissionResults(activity);
        // an SDK shipped as a separate jar, loaded later through its own class loader
        String late = System.getProperty("standin.late_jar");
        if (late != null) {
            Thread.sleep(Long.getLong("standin.late_delay_ms", 2000L));
            URLClassLoader loader = new URLClassLoader(new URL[] {new File(late).toURI().toURL()}, App.class.getClassLoader());
            Runnable tracker = (Runnable) loader.loadClass("com.umeng.commonsdk.internal.OaidTracker")
                    .getDeclaredConstructor().newInstance();
            tracker.run();
        }
        // the push process: a second JVM
        if (System.getProperty("standin.child_java") != null) {
            List<String> command = new ArrayList<>();
            command.add(System.getProperty("standin.child_java"));
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments()); // same VM flags
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add("cn.jpush.android.service.PushService");
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                System.out.println("child: " + line);
            }
            System.out.println("child exit " + child.waitFor());
        }
    }
}
