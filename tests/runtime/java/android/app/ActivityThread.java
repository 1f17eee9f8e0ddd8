package android.app;

/** The framework's main loop, reduced to what the stand-in needs. */
public final class ActivityThread {
    private static Application current;

    private ActivityThread() {
    }

    public static Application currentApplication() {
        return current;
    }

    public static void setCurrentApplication(Application application) {
        current = application;
    }

    public static void deliverPermissionResults(Activity activity) {
        activity.dispatchRequestPermissionsResult();
    }
}
