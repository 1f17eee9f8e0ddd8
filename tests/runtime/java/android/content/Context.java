package android.content;

import android.content.pm.PackageManager;

/** Stand-in for android.content.Context (the service names are the real constants). */
public abstract class Context {
    public static final String TELEPHONY_SERVICE = "phone";
    public static final String WIFI_SERVICE = "wifi";
    public static final String LOCATION_SERVICE = "location";
    public static final String CLIPBOARD_SERVICE = "clipboard";
    public static final String CONNECTIVITY_SERVICE = "connectivity";

    public abstract Object getSystemService(String name);

    public abstract ContentResolver getContentResolver();

    public abstract PackageManager getPackageManager();

    public abstract String getPackageName();
}
