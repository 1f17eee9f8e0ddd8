package android.content;

/** Stand-in of android.content.SharedPreferences: where the app keeps "the user agreed". */
public interface SharedPreferences {
    boolean getBoolean(String key, boolean defValue);

    Editor edit();

    interface Editor {
        Editor putBoolean(String key, boolean value);

        void apply();
    }
}
