package com.google.android.gms.ads.identifier;

import android.content.Context;
import java.io.IOException;

/**
 * Google Play services' advertising-id client, with the real names and signatures: a static
 * getAdvertisingIdInfo(Context) returning the nested Info, whose getId() is the id itself.
 */
public class AdvertisingIdClient {
    public static Info getAdvertisingIdInfo(Context context) throws IOException {
        if (context == null) {
            throw new IOException("no context");
        }
        return new Info(System.getProperty("standin.gaid", "c7e2b1a4-5d3f-4e8a-9b6c-2f1e0d9a8b7c"), false);
    }

    public static final class Info {
        private final String advertisingId;
        private final boolean limitAdTrackingEnabled;

        public Info(String advertisingId, boolean limitAdTrackingEnabled) {
            this.advertisingId = advertisingId;
            this.limitAdTrackingEnabled = limitAdTrackingEnabled;
        }

        public String getId() {
            return advertisingId;
        }

        public boolean isLimitAdTrackingEnabled() {
            return limitAdTrackingEnabled;
        }
    }
}
