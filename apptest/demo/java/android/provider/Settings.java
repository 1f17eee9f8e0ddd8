package android.provider;

import android.content.ContentResolver;
import com.android.standin.Phone;

/** Stand-in of android.provider.Settings; Secure.getString(cr, "android_id") is the ANDROID_ID read. */
public final class Settings {
    private Settings() {}

    public static final class Secure {
        public static final String ANDROID_ID = "android_id";

        private Secure() {}

        public static String getString(ContentResolver resolver, String name) {
            return Phone.get().secureSetting(name);
        }
    }
}
