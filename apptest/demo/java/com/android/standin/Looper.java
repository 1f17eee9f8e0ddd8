package com.android.standin;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The app's main thread. App code runs here, inside the app's thread group, so every thread
 * an SDK starts belongs to the "process" and dies with it on force-stop.
 */
final class Looper implements Runnable {
    private final BlockingQueue<FutureTask<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean quit;

    Looper(ThreadGroup group) {
        thread = new Thread(group, this, "main");
        thread.setDaemon(true);
        thread.start();
    }

    <T> T call(Callable<T> task) throws ExecutionException, TimeoutException, InterruptedException {
        FutureTask<T> future = new FutureTask<>(task);
        queue.put(future);
        return future.get(10, TimeUnit.SECONDS);
    }

    void post(Runnable task) {
        queue.add(new FutureTask<Void>(task, null));
    }

    void quit() {
        quit = true;
        thread.interrupt();
    }

    @Override
    public void run() {
        try {
            while (!quit) {
                FutureTask<?> task = queue.poll(100, TimeUnit.MILLISECONDS);
                if (task != null) {
                    task.run();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
