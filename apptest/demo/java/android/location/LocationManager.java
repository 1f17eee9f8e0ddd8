package android.location;

import com.android.standin.Phone;

/** Stand-in of android.location.LocationManager: a fix needs ACCESS_FINE_LOCATION. */
public class LocationManager {
    public static final String GPS_PROVIDER = "gps";
    public static final String NETWORK_PROVIDER = "network";

    public Location getLastKnownLocation(String provider) {
        Phone.get().enforce("android.permission.ACCESS_FINE_LOCATION", "getLastKnownLocation");
        return new Location(Double.parseDouble(Phone.get().value("lat")), Double.parseDouble(Phone.get().value("lng")));
    }
}
