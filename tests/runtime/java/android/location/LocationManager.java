package android.location;

import android.os.Looper;

public class LocationManager {
    public static final String GPS_PROVIDER = "gps";

    public Location getLastKnownLocation(String provider) {
        return fix(provider);
    }

    public void requestLocationUpdates(String provider, long minTimeMs, float minDistanceM, LocationListener listener) {
        listener.onLocationChanged(fix(provider));
    }

    public void requestLocationUpdates(String provider, long minTimeMs, float minDistanceM, LocationListener listener,
            Looper looper) {
        listener.onLocationChanged(fix(provider));
    }

    private static Location fix(String provider) {
        return new Location(provider, Double.parseDouble(System.getProperty("standin.lat", "39.90872")),
                Double.parseDouble(System.getProperty("standin.lng", "116.39748")));
    }
}
