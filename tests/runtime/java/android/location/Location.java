package android.location;

import java.util.Locale;

public class Location {
    private final String provider;
    private final double latitude;
    private final double longitude;

    public Location(String provider, double latitude, double longitude) {
        this.provider = provider;
        this.latitude = latitude;
        this.longitude = longitude;
    }

    public double getLatitude() {
        return latitude;
    }

    public double getLongitude() {
        return longitude;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Location[%s %.6f,%.6f hAcc=5.0]", provider, latitude, longitude);
    }
}
