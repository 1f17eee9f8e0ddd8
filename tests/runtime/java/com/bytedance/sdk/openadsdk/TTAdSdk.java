package com.bytedance.sdk.openadsdk;

import android.content.ClipboardManager;
import android.content.Context;
import android.location.LocationManager;
import com.google.android.gms.ads.identifier.AdvertisingIdClient;
import java.io.IOException;

/** Pangle's init: installed apps, clipboard, last location, Google advertising ID. */
public class TTAdSdk {
    public static int init(Context context) throws IOException {
        int apps = context.getPackageManager().getInstalledPackages(0).size();
        ClipboardManager clipboard = (ClipboardManager) context.getSystemService(Context.CLIPBOARD_SERVICE);
        String clip = String.valueOf(clipboard.getPrimaryClip());
        LocationManager lm = (LocationManager) context.getSystemService(Context.LOCATION_SERVICE);
        int located = lm.getLastKnownLocation(LocationManager.GPS_PROVIDER) != null ? 1 : 0;
        AdvertisingIdClient.Info ad = AdvertisingIdClient.getAdvertisingIdInfo(context);
        String gaid = ad.isLimitAdTrackingEnabled() ? "" : ad.getId();
        return apps + clip.length() + located + gaid.length();
    }
}
