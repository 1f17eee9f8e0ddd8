package android.content;

/** Stand-in of android.content.ContentResolver (a handle; Settings reads go through it). */
public class ContentResolver {
    private final String packageName;

    public ContentResolver(String packageName) {
        this.packageName = packageName;
    }

    public String getPackageName() {
        return packageName;
    }
}
