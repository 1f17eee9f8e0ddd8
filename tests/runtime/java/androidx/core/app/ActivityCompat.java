package androidx.core.app;

import android.app.Activity;

/** As in androidx: on Android 6+ the request ends in Activity.requestPermissions. */
public class ActivityCompat {
    public static void requestPermissions(final Activity activity, final String[] permissions, final int requestCode) {
        activity.requestPermissions(permissions, requestCode);
    }
}
