package android.content.pm;

/** Stand-in of android.content.pm.PackageInfo (only the field SDKs upload). */
public class PackageInfo {
    public String packageName;

    public PackageInfo(String packageName) {
        this.packageName = packageName;
    }
}
