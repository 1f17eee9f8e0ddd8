package com.example.rental;

import android.app.Activity;
import androidx.core.app.ActivityCompat;

public class MainActivity extends Activity {
    public String[] granted = new String[0];

    public void askForPermissions() {
        ActivityCompat.requestPermissions(this,
                new String[] {"android.permission.CAMERA", "android.permission.ACCESS_FINE_LOCATION"}, 7);
    }

    @Override
    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {
        super.onRequestPermissionsResult(requestCode, permissions, grantResults);
        granted = permissions;
    }
}
