package android.app;

import android.content.ContextWrapper;

/** Stand-in of android.app.Application: onCreate runs first in a new process, before any screen. */
public class Application extends ContextWrapper {
    public void onCreate() {}
}
