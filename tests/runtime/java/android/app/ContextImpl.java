package android.app;

import android.content.ClipboardManager;
import android.content.ContentResolver;
import android.content.Context;
import android.content.pm.PackageManager;
import android.location.LocationManager;
import android.net.ConnectivityManager;
import android.net.wifi.WifiManager;
import android.telephony.TelephonyManager;

/** The framework's Context: hands out the system services. */
public class ContextImpl extends Context {
    private final String packageName;
    private final ContentResolver resolver = new ContentResolver() {};
    private final PackageManager packageManager = new ApplicationPackageManager();

    public ContextImpl(String packageName) {
        this.packageName = packageName;
    }

    @Override
    public Object getSystemService(String name) {
        switch (name) {
            case TELEPHONY_SERVICE:
                return new TelephonyManager();
            case WIFI_SERVICE:
                return new WifiManager();
            case LOCATION_SERVICE:
                return new LocationManager();
            case CLIPBOARD_SERVICE:
                return new ClipboardManager();
            case CONNECTIVITY_SERVICE:
                return new ConnectivityManager();
            default:
                return null;
        }
    }

    @Override
    public ContentResolver getContentResolver() {
        return resolver;
    }

    @Override
    public PackageManager getPackageManager() {
        return packageManager;
    }

    @Override
    public String getPackageName() {
        return packageName;
    }
}
