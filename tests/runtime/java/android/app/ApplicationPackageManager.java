package android.app;

import android.content.pm.ApplicationInfo;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import java.util.ArrayList;
import java.util.List;

/** The framework's implementation behind PackageManager (a hidden class on Android). */
public class ApplicationPackageManager extends PackageManager {
    private static String[] packages() {
        return System.getProperty("standin.packages", "com.tencent.mm,com.sina.weibo").split(",");
    }

    @Override
    public List<PackageInfo> getInstalledPackages(int flags) {
        List<PackageInfo> out = new ArrayList<>();
        for (String name : packages()) {
            out.add(new PackageInfo(name));
        }
        return out;
    }

    @Override
    public List<ApplicationInfo> getInstalledApplications(int flags) {
        List<ApplicationInfo> out = new ArrayList<>();
        for (String name : packages()) {
            out.add(new ApplicationInfo(name));
        }
        return out;
    }
}
