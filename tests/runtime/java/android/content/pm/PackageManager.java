package android.content.pm;

import java.util.List;

/** Abstract, as on Android: the calls land in android.app.ApplicationPackageManager. */
public abstract class PackageManager {
    public static final int PERMISSION_GRANTED = 0;
    public static final int PERMISSION_DENIED = -1;

    public abstract List<PackageInfo> getInstalledPackages(int flags);

    public abstract List<ApplicationInfo> getInstalledApplications(int flags);
}
