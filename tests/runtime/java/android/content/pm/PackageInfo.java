package android.content.pm;

public class PackageInfo {
    public String packageName;

    public PackageInfo(String packageName) {
        this.packageName = packageName;
    }

    @Override
    public String toString() {
        return "PackageInfo{" + Integer.toHexString(System.identityHashCode(this)) + " " + packageName + "}";
    }
}
