package android.provider;

import android.content.ContentResolver;

public final class Settings {
    private Settings() {
    }

    public static final class Secure {
        public static final String ANDROID_ID = "android_id";

        private Secure() {
        }

        public static String getString(ContentResolver resolver, String name) {
            if (ANDROID_ID.equals(name)) {
                return java.lang.System.getProperty("standin.android_id", "5f3a9c2e7b1d4086");
            }
            return "standin-" + name;
        }
    }

    public static final class System {
        private System() {
        }

        public static String getString(ContentResolver resolver, String name) {
            return "standin-" + name;
        }
    }
}
