package android.app;

import android.content.ContextWrapper;

/** Stand-in: requestPermissions is final and results come back through the callback. */
public class Activity extends ContextWrapper {
    private String[] pendingPermissions;
    private int pendingCode = -1;

    public Activity() {
        super(null);
    }

    public final void attach(android.content.Context base) {
        attachBaseContext(base);
    }

    public final void requestPermissions(String[] permissions, int requestCode) {
        pendingPermissions = permissions.clone();
        pendingCode = requestCode;
    }

    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {
    }

    /** What ActivityThread does when the permission dialog closes (granted per standin.granted). */
    final void dispatchRequestPermissionsResult() {
        if (pendingPermissions == null) {
            return;
        }
        String granted = "," + System.getProperty("standin.granted", "") + ",";
        int[] results = new int[pendingPermissions.length];
        for (int i = 0; i < results.length; i++) {
            results[i] = granted.contains("," + pendingPermissions[i] + ",") ? 0 : -1;
        }
        String[] permissions = pendingPermissions;
        pendingPermissions = null;
        onRequestPermissionsResult(pendingCode, permissions, results);
    }
}
