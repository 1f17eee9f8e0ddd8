package android.app;

import android.content.ContextWrapper;
import android.view.View;
import com.android.standin.Phone;

/** Stand-in of android.app.Activity: one screen; requestPermissions shows the system dialog. */
public class Activity extends ContextWrapper {
    private View content;
    private boolean finished;

    protected void onCreate(Object savedInstanceState) {}

    protected void onResume() {}

    protected void onPause() {}

    public void setContentView(View view) {
        content = view;
    }

    public View getContentView() {
        return content;
    }

    public void requestPermissions(String[] permissions, int requestCode) {
        Phone.get().requestPermissions(this, permissions, requestCode);
    }

    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {}

    public void onBackPressed() {
        finish();
    }

    public void finish() {
        finished = true;
        Phone.get().activityFinished(this);
    }

    public boolean isFinishing() {
        return finished;
    }

    public Application getApplication() {
        return Phone.get().application();
    }
}
