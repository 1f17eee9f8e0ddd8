package cn.jpush.android.service;

import android.content.Context;
import cn.jpush.android.helper.DeviceInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** Stand-in of JPush's PushService: registers, then keeps a heartbeat (in the background too). */
public final class PushService implements Runnable {
    private static final String REGISTER = "http://stats.jpush.cn/v3/register";
    private static final String HEARTBEAT = "http://stats.jpush.cn/v3/heartbeat";
    private static final long HEARTBEAT_MS = 4000;
    private final Context context;

    public PushService(Context context) {
        this.context = context;
    }

    @Override
    public void run() {
        post(REGISTER, DeviceInfo.registration(context, "a1b2c3d4e5f60718293a4b5c"));
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(HEARTBEAT_MS);
                post(HEARTBEAT, DeviceInfo.heartbeat(context));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void post(String endpoint, String json) {
        try {
            HttpURLConnection connection = (HttpURLConnection) new URL(endpoint).openConnection();
            connection.setConnectTimeout(2000);
            connection.setReadTimeout(2000);
            connection.setDoOutput(true);
            connection.setRequestMethod("POST");
            connection.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = connection.getOutputStream()) {
                out.write(json.getBytes(StandardCharsets.UTF_8));
            }
            connection.getResponseCode();
            connection.disconnect();
        } catch (IOException e) {
            // retried with the next heartbeat
        }
    }
}
