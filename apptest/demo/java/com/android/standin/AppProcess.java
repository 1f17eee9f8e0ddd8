package com.android.standin;

import android.app.Activity;
import android.app.Application;

/** One life of the app's process: a thread group, a main thread, the Application, the top Activity. */
final class AppProcess {
    final ThreadGroup group;
    final Looper looper;
    Application application;
    Activity activity;

    AppProcess(String packageName, int life) {
        group = new ThreadGroup("app:" + packageName + "#" + life);
        looper = new Looper(group);
    }

    /** Force-stop: stop the main thread, interrupt every thread of the group, wait for them. */
    void kill() {
        looper.quit();
        group.interrupt();
        long deadline = System.currentTimeMillis() + 3000;
        while (group.activeCount() > 0 && System.currentTimeMillis() < deadline) {
            Thread[] threads = new Thread[group.activeCount() + 4];
            int n = group.enumerate(threads);
            for (int i = 0; i < n; i++) {
                threads[i].interrupt();
                try {
                    threads[i].join(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
