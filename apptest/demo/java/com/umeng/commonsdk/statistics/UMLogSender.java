package com.umeng.commonsdk.statistics;

import android.content.Context;
import com.umeng.commonsdk.statistics.common.DeviceConfig;
import com.umeng.commonsdk.statistics.idtracking.ImeiTracker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Stand-in of Umeng's log sender: an envelope with the device identifiers and the app list,
 * gzipped and base64'd into a form field (as the real SDK disguises it), then a heartbeat
 * with ANDROID_ID every few seconds for as long as the process lives.
 */
public final class UMLogSender implements Runnable {
    private static final String ENDPOINT = "http://ulogs.umeng.com/unify_logs";
    private static final long HEARTBEAT_MS = 3000;
    private final Context context;
    private final String appkey;
    private final String channel;

    public UMLogSender(Context context, String appkey, String channel) {
        this.context = context;
        this.appkey = appkey;
        this.channel = channel;
    }

    @Override
    public void run() {
        String androidId = DeviceConfig.getAndroidID(context);
        String mac = DeviceConfig.getMac(context);
        String imei = ImeiTracker.imei(context);
        List<String> apps = DeviceConfig.getInstalledApps(context);
        StringBuilder list = new StringBuilder();
        for (String app : apps) {
            list.append(list.length() == 0 ? "" : ",").append('"').append(app).append('"');
        }
        String envelope = "{\"header\":{\"appkey\":\"" + appkey + "\",\"channel\":\"" + channel
                + "\",\"device_id\":\"" + androidId + "\",\"mc\":\"" + mac + "\",\"imei\":\"" + imei
                + "\",\"os\":\"Android\"},\"body\":{\"apps\":[" + list + "]}}";
        post(envelope);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(HEARTBEAT_MS);
                String id = DeviceConfig.getAndroidID(context);
                post("{\"header\":{\"appkey\":\"" + appkey + "\",\"device_id\":\"" + id + "\"},\"body\":{\"event\":\"heartbeat\"}}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void post(String json) {
        try {
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
                gzip.write(json.getBytes(StandardCharsets.UTF_8));
            }
            String form = "content=" + URLEncoder.encode(Base64.getEncoder().encodeToString(zipped.toByteArray()), "UTF-8");
            HttpURLConnection connection = (HttpURLConnection) new URL(ENDPOINT).openConnection();
            connection.setConnectTimeout(2000);
            connection.setReadTimeout(2000);
            connection.setDoOutput(true);
            connection.setRequestMethod("POST");
            connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
            try (OutputStream out = connection.getOutputStream()) {
                out.write(form.getBytes(StandardCharsets.UTF_8));
            }
            connection.getResponseCode();
            connection.disconnect();
        } catch (IOException e) {
            // the SDK swallows network errors and tries again with the next event
        }
    }
}
