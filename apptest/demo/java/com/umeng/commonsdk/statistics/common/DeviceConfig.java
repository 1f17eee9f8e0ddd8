package com.umeng.commonsdk.statistics.common;

import android.content.Context;
import android.content.pm.PackageInfo;
import android.net.wifi.WifiManager;
import android.provider.Settings;
import java.util.ArrayList;
import java.util.List;

/** Stand-in of Umeng's DeviceConfig: the identifiers its envelope header carries. */
public final class DeviceConfig {
    private DeviceConfig() {}

    public static String getAndroidID(Context context) {
        return Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
    }

    public static String getMac(Context context) {
        WifiManager wifi = (WifiManager) context.getSystemService(Context.WIFI_SERVICE);
        return wifi.getConnectionInfo().getMacAddress();
    }

    public static List<String> getInstalledApps(Context context) {
        List<String> out = new ArrayList<>();
        for (PackageInfo info : context.getPackageManager().getInstalledPackages(0)) {
            out.add(info.packageName);
        }
        return out;
    }
}
