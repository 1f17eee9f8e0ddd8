package android.app;

import android.content.ContextWrapper;

public class Application extends ContextWrapper {
    public Application() {
        super(null);
    }

    public final void attach(android.content.Context base) {
        attachBaseContext(base);
    }

    public void onCreate() {
    }
}
