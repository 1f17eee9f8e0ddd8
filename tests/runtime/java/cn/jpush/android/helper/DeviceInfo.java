package cn.jpush.android.helper;

import android.content.Context;
import android.net.wifi.WifiManager;
import android.provider.Settings;
import java.net.NetworkInterface;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** JPush's device info collector and its report upload (through OkHttp). */
public class DeviceInfo {
    public static String collect(Context context) throws Exception {
        String androidId = Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
        WifiManager wifi = (WifiManager) context.getSystemService(Context.WIFI_SERVICE);
        String mac = wifi.getConnectionInfo().getMacAddress();
        NetworkInterface lo = NetworkInterface.getByName("lo");
        byte[] hardware = lo == null ? null : lo.getHardwareAddress();
        return androidId + "|" + mac + "|" + (hardware == null ? "-" : hardware.length);
    }

    public static int report(String url) throws Exception {
        OkHttpClient client = new OkHttpClient();
        Request request = new Request.Builder().url(url).build();
        try (Response response = client.newCall(request).execute()) {
            return response.code();
        }
    }
}
