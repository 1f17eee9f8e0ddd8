package android.content;

import android.content.pm.PackageManager;
import android.location.LocationManager;
import android.net.wifi.WifiManager;
import android.telephony.TelephonyManager;
import com.android.standin.Phone;

/** Stand-in of android.content.ContextWrapper: every service comes from the stand-in phone. */
public class ContextWrapper extends Context {
    @Override
    public String getPackageName() {
        return Phone.get().appPackage();
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
            default:
                return null;
        }
    }

    @Override
    public ContentResolver getContentResolver() {
        return new ContentResolver(getPackageName());
    }

    @Override
    public PackageManager getPackageManager() {
        return new PackageManager();
    }

    @Override
    public SharedPreferences getSharedPreferences(String name, int mode) {
        return Phone.get().preferences(name);
    }

    @Override
    public int checkSelfPermission(String permission) {
        return Phone.get().isGranted(permission) ? PackageManager.PERMISSION_GRANTED : PackageManager.PERMISSION_DENIED;
    }
}
