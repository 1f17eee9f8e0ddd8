package android.content;

import android.content.pm.PackageManager;

/** Stand-in of android.content.Context: the calls the demo app makes, with their real signatures. */
public abstract class Context {
    public static final String TELEPHONY_SERVICE = "phone";
    public static final String WIFI_SERVICE = "wifi";
    public static final String LOCATION_SERVICE = "location";
    public static final int MODE_PRIVATE = 0;

    public abstract String getPackageName();

    public abstract Object getSystemService(String name);

    public abstract ContentResolver getContentResolver();

    public abstract PackageManager getPackageManager();

    public abstract SharedPreferences getSharedPreferences(String name, int mode);

    public abstract int checkSelfPermission(String permission);

    public Context getApplicationContext() {
        return this;
    }
}
