package cn.jpush.android.helper;

import android.content.Context;
import android.content.pm.PackageInfo;
import android.net.wifi.WifiManager;
import android.provider.Settings;

/** Stand-in of JPush's DeviceInfo: the registration payload (ANDROID_ID, MAC, app list). */
public final class DeviceInfo {
    private DeviceInfo() {}

    public static String registration(Context context, String appkey) {
        String androidId = Settings.Secure.getString(context.getContentResolver(), "android_id");
        WifiManager wifi = (WifiManager) context.getSystemService(Context.WIFI_SERVICE);
        String mac = wifi.getConnectionInfo().getMacAddress();
        StringBuilder apps = new StringBuilder();
        for (PackageInfo info : context.getPackageManager().getInstalledPackages(0)) {
            apps.append(apps.length() == 0 ? "" : "|").append(info.packageName);
        }
        return "{\"appkey\":\"" + appkey + "\",\"aid\":\"" + androidId + "\",\"mac\":\"" + mac
                + "\",\"applist\":\"" + apps + "\",\"platform\":\"a\"}";
    }

    public static String heartbeat(Context context) {
        return "{\"aid\":\"" + Settings.Secure.getString(context.getContentResolver(), "android_id") + "\"}";
    }
}
