package android.content.pm;

public class ApplicationInfo {
    public String packageName;

    public ApplicationInfo(String packageName) {
        this.packageName = packageName;
    }
}
