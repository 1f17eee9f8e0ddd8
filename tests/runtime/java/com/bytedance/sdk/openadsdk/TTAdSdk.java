package com.bytedance.sdk.openadsdk;

import android.content.ClipboardManager;
import android.content.Context;
import android.location.LocationManager;

/** Pangle's init: installed apps, clipboard, last location. */
public class TTAdSdk {
    public static int init(Context context) {
        int apps = context.getPackageManager().getInstalledPackages(0).size();
        ClipboardManager clipboard = (ClipboardManager) context.getSystemService(Context.CLIPBOARD_SERVICE);
        String clip = String.valueOf(clipboard.getPrimaryClip());
        LocationManager lm = (LocationManager) context.getSystemService(Context.LOCATION_SERVICE);
        return apps + clip.length() + (lm.getLastKnownLocation(LocationManager.GPS_PROVIDER) != null ? 1 : 0);
    }
}
