package android.content.pm;

import com.android.standin.Phone;
import java.util.ArrayList;
import java.util.List;

/** Stand-in of android.content.pm.PackageManager: the installed-app list SDKs collect. */
public class PackageManager {
    public static final int PERMISSION_GRANTED = 0;
    public static final int PERMISSION_DENIED = -1;

    public List<PackageInfo> getInstalledPackages(int flags) {
        List<PackageInfo> out = new ArrayList<>();
        for (String name : Phone.get().installedPackages()) {
            out.add(new PackageInfo(name));
        }
        return out;
    }
}
